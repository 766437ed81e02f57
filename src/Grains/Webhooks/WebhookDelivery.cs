namespace Embever.Actors.Webhooks;

public static class DeliveryStatuses
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Delivered, Failed];
}

/// <summary>
/// A webhook that fired and must be delivered: one row of the outbox. A device's (its action's
/// or event's) has <c>DeviceId</c>; a deployment's has <c>DeploymentId</c> and no device.
/// </summary>
public sealed record PlannedDelivery(
    long Id,
    Guid OrganisationId,
    Guid? ApplicationId,
    string? DeviceId,
    long? ActionId,
    long? EventId,
    string Trigger,
    string Url,
    bool PayloadOnly,
    string Body,
    DateTime CreatedAt,
    long? DeploymentId = null)
{
    /// <summary>What the dispatcher needs to send it the first time.</summary>
    public WebhookDispatch ToDispatch(TimeSpan horizon) => new(Id, OrganisationId, ApplicationId, Url, Body, 0, CreatedAt, CreatedAt + horizon);
}

/// <summary>
/// One delivery as the dispatcher sends it, carried on the webhook stream: everything the POST
/// needs, so sending it never reads the outbox. <c>Attempts</c> are those made before;
/// <c>TraceParent</c> is the trace of the change that fired it (none after a restart).
/// </summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.WebhookDispatch")]
public sealed record WebhookDispatch(
    long Id,
    Guid OrganisationId,
    Guid? ApplicationId,
    string Url,
    string Body,
    int Attempts,
    DateTime FiredAt,
    DateTime Deadline,
    string? TraceParent = null);

/// <summary>
/// What became of a delivery, written back to its outbox row in a batch through the group
/// commit: delivered, failed for good, or pending again with its next attempt (a retry, or a
/// deferral while its target's circuit is open, which does not count as an attempt).
/// </summary>
public sealed record DeliveryOutcome(long Id, string Status, int Attempts, DateTime NextAttemptAt, string? LastError, int? LastStatusCode, DateTime? DeliveredAt);

/// <summary>A delivery as listed by <c>/v2/webhook-deliveries/</c>.</summary>
public sealed record DeliveryView(
    long Id,
    Guid OrganisationId,
    Guid? ApplicationId,
    string? DeviceId,
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
    DateTime? DeliveredAt,
    long? DeploymentId);
