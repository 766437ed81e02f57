using Embever.Actors.Storage.Index;

namespace Embever.Actors.Webhooks;

/// <summary>
/// <c>GET /v2/webhook-deliveries/</c>: the deliveries of the caller's devices (and, for an
/// organisation's caller, of its deployments), optionally by status, device, action or deployment.
/// </summary>
public sealed record DeliveryQuery(TenantScope Scope, string? Status = null, string? Device = null, long? Action = null, long? Deployment = null)
{
    internal Filter ToFilter() =>
        Scope.DeviceRows().EqualIfGiven("status", Status).EqualIfGiven("device_id", Device).EqualIfGiven("action_id", Action).EqualIfGiven("deployment_id", Deployment);
}
