using Embever.Actors.Storage.Index;

namespace Embever.Actors.Events;

/// <summary><c>GET /v2/events/</c>: the events of the caller's devices, optionally of one type or device.</summary>
public sealed record EventQuery(TenantScope Scope, string? Type = null, string? Device = null)
{
    internal Filter ToFilter() => Scope.DeviceRows().EqualIfGiven("type", Type).EqualIfGiven("device_id", Device);
}
