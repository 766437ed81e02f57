using Orleans.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Webhooks;

/// <summary>
/// Puts committed deliveries on their organisation's stream, for every device grain of this
/// silo and the sweeper. Offers never wait: they are gathered while the previous round is being
/// published, and each round publishes one message per organisation. In a wake storm that is a
/// handful of stream messages a second per organisation instead of one per exchange — the
/// stream delivers a stream's messages one after another, so one message per exchange could
/// not keep pace with the devices. An offer lost with the silo is offered again by the sweeper
/// once its lease runs out.
/// </summary>
public sealed partial class WebhookPublisher(IClusterClient cluster, ILogger<WebhookPublisher> logger) : BackgroundService
{
    private readonly Dictionary<Guid, List<WebhookDispatch>> waiting = [];
    private readonly SemaphoreSlim offered = new(0, 1);

    public void Offer(Guid organisationId, IEnumerable<WebhookDispatch> deliveries)
    {
        lock (waiting)
        {
            if (!waiting.TryGetValue(organisationId, out var list))
            {
                list = [];
                waiting[organisationId] = list;
            }

            list.AddRange(deliveries);
            if (offered.CurrentCount == 0)
            {
                offered.Release();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await offered.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            List<(Guid Organisation, List<WebhookDispatch> Deliveries)> round;
            lock (waiting)
            {
                round = waiting.Select(w => (w.Key, w.Value)).ToList();
                waiting.Clear();
            }

            var provider = cluster.GetStreamProvider(WebhookStreams.Provider);
            await Task.WhenAll(round.Select(o => PublishAsync(provider, o.Organisation, o.Deliveries)));
        }
    }

    private async Task PublishAsync(IStreamProvider provider, Guid organisationId, List<WebhookDispatch> deliveries)
    {
        try
        {
            await WebhookStreams.For(provider, organisationId).OnNextAsync(new WebhookDue(deliveries));
        }
        catch (Exception exception)
        {
            LogPublishFailed(exception, deliveries.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not offer {Count} webhook deliveries to the dispatcher; the sweeper will once their lease runs out")]
    private partial void LogPublishFailed(Exception exception, int count);
}
