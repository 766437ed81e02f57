using Orleans.Streams;
using Embever.Actors.Applications;
using Embever.Actors.Organisations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Webhooks;

/// <summary>
/// One organisation's webhook dispatcher, fed by its "webhook due" stream. Receiving a message
/// only queues the ids, so the stream (and whoever published) never waits for a receiver; a pump
/// sends up to <see cref="WebhookOptions.MaxConcurrentPerOrganisation"/> deliveries at once and
/// records each outcome in the outbox. A slow receiver holds back only its own organisation.
/// </summary>
[ImplicitStreamSubscription(WebhookStreams.Namespace)]
public sealed partial class WebhookDispatcherGrain(
    WebhookOutbox outbox,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcherGrain> logger) : Grain, IWebhookDispatcherGrain
{
    private readonly Queue<long> queue = new();
    private readonly HashSet<long> queued = [];
    private Task pump = Task.CompletedTask;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = WebhookStreams.For(this.GetStreamProvider(WebhookStreams.Provider), this.GetPrimaryKey());
        await stream.SubscribeAsync((due, _) => Enqueue(due));
    }

    private Task Enqueue(WebhookDue due)
    {
        foreach (var id in due.DeliveryIds.Where(queued.Add))
        {
            queue.Enqueue(id);
        }

        if (pump.IsCompleted)
        {
            pump = PumpAsync();
        }

        return Task.CompletedTask;
    }

    private async Task PumpAsync()
    {
        while (queue.Count > 0)
        {
            var batch = new List<long>();
            while (batch.Count < options.Value.MaxConcurrentPerOrganisation && queue.TryDequeue(out var id))
            {
                batch.Add(id);
            }

            await Task.WhenAll(batch.Select(DeliverAsync));
            queued.ExceptWith(batch);
        }
    }

    private async Task DeliverAsync(long id)
    {
        try
        {
            if (await outbox.GetPendingAsync(id) is not var (delivery, snapshot))
            {
                return;
            }

            var organisation = await GrainFactory.GetGrain<IOrganisationGrain>(delivery.OrganisationId).GetSigningSecret();
            var application = delivery.ApplicationId is { } applicationId
                ? await GrainFactory.GetGrain<IApplicationGrain>(applicationId).GetSigningSecret()
                : null;
            var outcome = await sender.SendAsync(delivery, snapshot, organisation, application);
            var now = time.GetUtcNow().UtcDateTime;
            if (outcome.Delivered)
            {
                await outbox.RecordDeliveredAsync(id, outcome.Tries, outcome.StatusCode!.Value, now);
                return;
            }

            var next = outcome.Permanent ? null : options.Value.Schedule.NextAttempt(delivery.Attempts + outcome.Tries, now, delivery.Deadline, Random.Shared);
            await outbox.RecordFailedAsync(id, outcome.Tries, outcome.Error ?? "failed", outcome.StatusCode, next);
            LogAttemptFailed(id, delivery.Url, outcome.Error, next);
        }
        catch (Exception exception)
        {
            // The row stays pending; the sweeper offers it again once its lease runs out.
            LogDeliveryError(exception, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to {Url} failed ({Error}); next attempt {NextAttempt}")]
    private partial void LogAttemptFailed(long deliveryId, string url, string? error, DateTime? nextAttempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} could not be processed; it will be offered again")]
    private partial void LogDeliveryError(Exception exception, long deliveryId);
}
