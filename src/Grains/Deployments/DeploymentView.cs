using Embever.Actors.Firmware;

namespace Embever.Actors.Deployments;

/// <summary>A deployment as listed: its devices split by how far their update got.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeploymentView")]
public sealed record DeploymentView(
    long Id,
    Guid OrganisationId,
    string FirmwareId,
    IReadOnlyList<string> Devices,
    IReadOnlyList<string> Successful,
    IReadOnlyList<string> Pending,
    IReadOnlyList<string> Failed,
    bool Finished,
    bool Cancelled,
    DateTime CreatedAt,
    Rollouts.RolloutPolicy? Rollout = null,
    Rollouts.RolloutState? Progress = null,
    IReadOnlyList<Rollouts.RolloutGroup>? Groups = null,
    IReadOnlyList<DeploymentWebhook>? Webhooks = null)
{
    /// <summary>Running, paused, completed, aborted or cancelled; a deployment without a rollout is never paused or aborted.</summary>
    public Rollouts.RolloutStatus Status =>
        Progress?.Status ?? (Cancelled ? Rollouts.RolloutStatus.Cancelled : Finished ? Rollouts.RolloutStatus.Completed : Rollouts.RolloutStatus.Running);
}

[GenerateSerializer, Immutable, Alias("Embever.Actors.DeploymentDraft")]
public sealed record DeploymentDraft(
    Guid OrganisationId, FirmwareView Firmware, IReadOnlyList<string> Devices, Rollouts.RolloutPolicy? Rollout = null, IReadOnlyList<DeploymentWebhook>? Webhooks = null);

/// <summary>The deployment, or the devices that refused it (an unfinished update, or gone), or that the firmware was deleted meanwhile.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeploymentResult")]
public sealed record DeploymentResult(DeploymentView? Deployment, IReadOnlyList<string> Refused, bool FirmwareGone = false);

/// <summary>What a device grain needs to start its part of a deployment; <c>Held</c> in a staged rollout (sent once released).</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.UpdateStart")]
public sealed record UpdateStart(long DeploymentId, long UpdateId, long ActionId, string PayloadJson, string FileId, bool Held = false);

/// <summary>A device's answer to a reservation: the action it would buffer when <c>Started</c> (null when it already has it).</summary>
[GenerateSerializer, Alias("Embever.Actors.UpdateReservation")]
public sealed record UpdateReservation(UpdateStartResult Result, Actions.DeviceAction? Action);

public enum UpdateStartResult
{
    Started,
    Busy,
    NotFound,
}
