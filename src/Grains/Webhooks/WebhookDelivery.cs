using Embever.Actors.Actions;
using Embever.Actors.Events;

namespace Embever.Actors.Webhooks;

public static class DeliveryStatuses
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Delivered, Failed];
}

/// <summary>
/// What a webhook carries, frozen when it fired: the action as it was at that status, or the
/// event. The body is rendered from it at delivery time.
/// </summary>
public sealed record WebhookSnapshot(DeviceAction? Action, EventView? Event, string? DeviceName);

/// <summary>A webhook that fired and must be delivered: one row of the outbox.</summary>
public sealed record PlannedDelivery(
    long Id,
    Guid OrganisationId,
    Guid? ApplicationId,
    string DeviceId,
    long? ActionId,
    long? EventId,
    string Trigger,
    string Url,
    bool PayloadOnly,
    WebhookSnapshot Snapshot,
    DateTime CreatedAt);

/// <summary>A delivery as listed by <c>/v2/webhook-deliveries/</c>.</summary>
public sealed record DeliveryView(
    long Id,
    Guid OrganisationId,
    Guid? ApplicationId,
    string DeviceId,
    long? ActionId,
    long? EventId,
    string Trigger,
    string Url,
    bool PayloadOnly,
    string Status,
    int Attempts,
    DateTime NextAttemptAt,
    DateTime Deadline,
    string? LastError,
    int? LastStatusCode,
    DateTime CreatedAt,
    DateTime? DeliveredAt);
