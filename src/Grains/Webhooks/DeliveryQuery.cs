using Embever.Actors.Storage.Index;

namespace Embever.Actors.Webhooks;

/// <summary><c>GET /v2/webhook-deliveries/</c>: the deliveries of the caller's devices, optionally by status, device or action.</summary>
public sealed record DeliveryQuery(TenantScope Scope, string? Status = null, string? Device = null, long? Action = null)
{
    internal Filter ToFilter() => Scope.DeviceRows().EqualIfGiven("status", Status).EqualIfGiven("device_id", Device).EqualIfGiven("action_id", Action);
}
