using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Telemetry;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Webhooks;

/// <summary>
/// How a grain whose change fired webhooks (a device's, a deployment's) hands them over: each
/// delivery gets its outbox id and goes into the change set that fired it; once that change set
/// has committed, they are offered to the organisation's dispatcher (never waits), continuing the
/// trace of the change.
/// </summary>
public sealed class FiredWebhooks(IdBlockAllocator ids, WebhookPublisher publisher, IOptions<WebhookOptions> options)
{
    /// <summary>Where the API is reached from outside: the base of the URLs in webhook bodies.</summary>
    public string PublicUrl => options.Value.PublicUrl;

    /// <summary>Numbers <paramref name="deliveries"/> and adds them to <paramref name="changes"/> as outbox rows; returns them numbered.</summary>
    public async Task<List<PlannedDelivery>> AddAsync(ChangeSet changes, List<PlannedDelivery> deliveries)
    {
        var horizon = options.Value.Horizon;
        for (var i = 0; i < deliveries.Count; i++)
        {
            deliveries[i] = deliveries[i] with { Id = await ids.NextAsync("webhook_deliveries") };
            changes.Deliveries.Add(new OutboxEntry(deliveries[i], horizon));
        }

        return deliveries;
    }

    /// <summary>Offers committed deliveries, bodies and all, to the organisation's dispatcher.</summary>
    public void Offer(Guid organisationId, IReadOnlyList<PlannedDelivery> deliveries)
    {
        if (deliveries.Count > 0)
        {
            var horizon = options.Value.Horizon;
            var trace = PlatformTracing.CurrentParent();
            publisher.Offer(organisationId, deliveries.Select(d => d.ToDispatch(horizon) with { TraceParent = trace }));
        }
    }
}
