using Embever.Actors.Api.Http;
using Embever.Actors.Webhooks;

namespace Embever.Actors.Api.Webhooks;

public sealed record DeliveryWebhook(string Url, string Trigger, bool PayloadOnly);

/// <summary>A webhook delivery on the wire: what fired it (a device's action or event, or a deployment), where it goes, and how it went.</summary>
public sealed record DeliveryResource(
    string Url,
    long Id,
    string Status,
    DeliveryWebhook Webhook,
    string? Device,
    long? Action,
    long? Event,
    long? Deployment,
    int Attempts,
    string? LastError,
    int? LastStatusCode,
    DateTime? NextAttemptAt,
    DateTime CreatedAt,
    DateTime? DeliveredAt)
{
    public static DeliveryResource From(HttpContext context, DeliveryView view) => new(
        ResourceUrls.Of(context, "webhook-deliveries", view.Id),
        view.Id,
        view.Status,
        new DeliveryWebhook(view.Url, view.Trigger, view.PayloadOnly),
        view.DeviceId,
        view.ActionId,
        view.EventId,
        view.DeploymentId,
        view.Attempts,
        view.LastError,
        view.LastStatusCode,
        view.Status == DeliveryStatuses.Pending ? view.NextAttemptAt : null,
        view.CreatedAt,
        view.DeliveredAt);
}
