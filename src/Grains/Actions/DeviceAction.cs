namespace Embever.Actors.Actions;

/// <summary>An action webhook: POST to <c>Url</c> when the action reaches <c>Status</c>.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.ActionWebhook")]
public sealed record ActionWebhook(string Status, string Url, bool PayloadOnly);

/// <summary>
/// One action for one device. Its place follows from its fields: <see cref="IsFinished"/>;
/// otherwise in flight once sent (service level 1 or 2 not reached yet), else buffered.
/// Payload and result are kept as JSON text: the platform never looks inside them.
/// </summary>
[GenerateSerializer, Alias("Embever.Actors.DeviceAction")]
public sealed class DeviceAction
{
    [Id(0)] public required long Id { get; init; }

    [Id(1)] public required string DeviceId { get; init; }

    [Id(2)] public required Guid OrganisationId { get; init; }

    [Id(3)] public required string Type { get; init; }

    [Id(4)] public string PayloadJson { get; init; } = "{}";

    [Id(5)] public IReadOnlyList<ActionWebhook> Webhooks { get; init; } = [];

    [Id(6)] public int ServiceLevel { get; init; }

    [Id(7)] public required DateTime CreatedAt { get; init; }

    [Id(8)] public DateTime? ExpiryDate { get; init; }

    /// <summary>The file a getFile or _fota action sends, which the device may then download.</summary>
    [Id(9)] public string? FileId { get; init; }

    [Id(10)] public bool Cancelled { get; set; }

    [Id(11)] public bool Finished { get; set; }

    [Id(12)] public bool Expired { get; set; }

    [Id(13)] public string? ResultJson { get; set; }

    [Id(14)] public string? ResultCode { get; set; }

    /// <summary>When each status was reached; a status is reached once and never moves.</summary>
    [Id(15)] public Dictionary<string, DateTime> Status { get; set; } = [];

    [Id(16)] public int SendCount { get; set; }

    /// <summary>For a _fota action: the firmware update it carries out, and its deployment.</summary>
    [Id(17)] public long? UpdateId { get; init; }

    [Id(18)] public long? DeploymentId { get; init; }

    /// <summary>
    /// A _fota action of a staged rollout whose turn has not come: buffered (the device is busy
    /// with an update) but not sent until its deployment releases it (docs/rollouts.md).
    /// </summary>
    [Id(19)] public bool Held { get; set; }

    /// <summary>When its deployment released it to the device (a staged rollout's pacing and timeouts count from here).</summary>
    [Id(20)] public DateTime? ReleasedAt { get; set; }

    public bool IsFinished => Finished;

    public bool WasSent => Status.ContainsKey(ActionStatuses.Sent);

    public bool IsInFlight => !Finished && WasSent;

    public bool IsBuffered => !Finished && !WasSent;

    public bool Reached(string status) => Status.ContainsKey(status);
}
