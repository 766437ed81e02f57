using Embever.Actors.Storage.Index;

namespace Embever.Actors.Devices;

/// <summary><c>GET /v2/devices/</c>: the caller's devices, optionally of one type, name, application or activation state.</summary>
public sealed record DeviceQuery(TenantScope Scope, string? Type = null, string? Name = null, Guid? Application = null, bool? Activated = null)
{
    internal Filter ToFilter() => Scope.Devices()
        .EqualIfGiven("type", Type)
        .EqualIfGiven("name", Name)
        .EqualIfGiven("application_id", Application?.ToString())
        .EqualIfGiven("activated", Activated);
}
