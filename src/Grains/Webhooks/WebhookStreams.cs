using Orleans.Streams;

namespace Embever.Actors.Webhooks;

/// <summary>
/// "These deliveries are due", with what each sends: published by device grains after their
/// write commits, and by the sweeper for retries. One stream per organisation, so each tenant
/// has its own dispatcher.
/// </summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.WebhookDue")]
public sealed record WebhookDue(IReadOnlyList<WebhookDispatch> Deliveries);

public static class WebhookStreams
{
    public const string Provider = "webhooks";
    public const string Namespace = "webhook-due";

    public static IAsyncStream<WebhookDue> For(IStreamProvider provider, Guid organisationId) =>
        provider.GetStream<WebhookDue>(StreamId.Create(Namespace, organisationId));
}
