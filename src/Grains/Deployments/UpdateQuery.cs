using Embever.Actors.Storage.Index;

namespace Embever.Actors.Deployments;

/// <summary><c>GET /v2/updates/</c>: the firmware updates of the caller's devices, optionally of one device or deployment.</summary>
public sealed record UpdateQuery(TenantScope Scope, string? Device = null, long? Deployment = null)
{
    internal Filter ToFilter() => Scope.DeviceRows().EqualIfGiven("device_id", Device).EqualIfGiven("deployment_id", Deployment);
}
