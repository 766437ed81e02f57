namespace Embever.Actors.Deployments;

/// <summary>One device's part of a deployment.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeploymentMember")]
public sealed record DeploymentMember(string DeviceId, long UpdateId, long ActionId);

/// <summary>
/// What a deployment is: fixed at creation, plus whether it was cancelled. Where each device
/// stands is not kept here (it would make the state as large as the fleet and rewrite it per
/// report): it lives in the updates table and in the grain's memory.
/// </summary>
[GenerateSerializer, Alias("Embever.Actors.DeploymentState")]
public sealed class DeploymentState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public Guid OrganisationId { get; set; }

    [Id(2)] public string FirmwareId { get; set; } = "";

    [Id(3)] public List<DeploymentMember> Members { get; set; } = [];

    [Id(4)] public bool Cancelled { get; set; }

    [Id(5)] public DateTime CreatedAt { get; set; }
}
