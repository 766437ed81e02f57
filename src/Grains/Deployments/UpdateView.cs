using Embever.Actors.Actions;

namespace Embever.Actors.Deployments;

/// <summary>Where one device stands in a deployment.</summary>
public enum UpdateOutcome
{
    /// <summary>The _fota action waits for the device's next wakeup.</summary>
    Waiting,

    /// <summary>Sent to the device, not finished.</summary>
    Pending,

    Successful,

    Failed,
}

/// <summary>One device's firmware update: a mirror of its _fota action.</summary>
public sealed record UpdateView(
    long Id,
    long DeploymentId,
    string DeviceId,
    Guid OrganisationId,
    long ActionId,
    IReadOnlyDictionary<string, DateTime> Status,
    string? ResultJson,
    string? ResultCode,
    bool Finished,
    DateTime ChangedAt,
    DateTime CreatedAt,
    bool Held = false,
    DateTime? ReleasedAt = null)
{
    public UpdateOutcome Outcome => OutcomeOf(Finished, Status.ContainsKey(ActionStatuses.Sent), ResultCode);

    public static UpdateOutcome OutcomeOf(DeviceAction action) => OutcomeOf(action.Finished, action.WasSent, action.ResultCode);

    public static UpdateView Of(DeviceAction action, DateTime changedAt) => new(
        action.UpdateId!.Value,
        action.DeploymentId!.Value,
        action.DeviceId,
        action.OrganisationId,
        action.Id,
        new Dictionary<string, DateTime>(action.Status),
        action.ResultJson,
        action.ResultCode,
        action.Finished,
        changedAt,
        action.CreatedAt,
        action.Held,
        action.ReleasedAt);

    private static UpdateOutcome OutcomeOf(bool finished, bool sent, string? resultCode) =>
        finished ? (resultCode == DeviceResponse.Success ? UpdateOutcome.Successful : UpdateOutcome.Failed)
        : sent ? UpdateOutcome.Pending
        : UpdateOutcome.Waiting;
}
