using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Webhooks;

/// <summary>
/// Every few seconds, on every silo: claim the deliveries whose next attempt is due (retries,
/// re-queued ones, and any whose first dispatch was lost with a silo) and offer them to their
/// organisation's dispatcher. Claims are leased in the database, so silos never double up.
/// </summary>
public sealed partial class WebhookSweeper(
    WebhookOutbox outbox,
    WebhookPublisher publisher,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSweeper> logger) : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var claimed = await outbox.ClaimDueAsync(time.GetUtcNow().UtcDateTime, BatchSize, stoppingToken);
                foreach (var organisation in claimed.GroupBy(c => c.OrganisationId))
                {
                    publisher.Offer(organisation.Key, organisation);
                }

                if (claimed.Count > 0)
                {
                    LogOffered(claimed.Count);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Offered {Count} due webhook deliveries")]
    private partial void LogOffered(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook sweep failed; trying again next interval")]
    private partial void LogSweepFailed(Exception exception);
}
