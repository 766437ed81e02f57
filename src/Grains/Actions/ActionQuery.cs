using Embever.Actors.Storage.Index;

namespace Embever.Actors.Actions;

/// <summary><c>GET /v2/actions/</c>: the actions of the caller's devices, optionally of one type or device.</summary>
public sealed record ActionQuery(TenantScope Scope, string? Type = null, string? Device = null)
{
    internal Filter ToFilter() => Scope.DeviceRows().EqualIfGiven("type", Type).EqualIfGiven("device_id", Device);
}
