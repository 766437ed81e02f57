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
    DateTime CreatedAt);

[GenerateSerializer, Immutable, Alias("Embever.Actors.DeploymentDraft")]
public sealed record DeploymentDraft(Guid OrganisationId, FirmwareView Firmware, IReadOnlyList<string> Devices);

/// <summary>The deployment, or the devices that refused it (an unfinished update, or gone).</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeploymentResult")]
public sealed record DeploymentResult(DeploymentView? Deployment, IReadOnlyList<string> Refused);

/// <summary>What a device grain needs to start its part of a deployment.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.UpdateStart")]
public sealed record UpdateStart(long DeploymentId, long UpdateId, long ActionId, string PayloadJson, string FileId);

public enum UpdateStartResult
{
    Started,
    Busy,
    NotFound,
}
