using System.ComponentModel;
using Embever.Actors.Api.Http;
using Embever.Actors.Storage.Index;
using Embever.Actors.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace Embever.Actors.Api.Webhooks;

/// <summary>The filters of <c>GET /v2/webhook-deliveries/</c>.</summary>
public sealed record DeliveryListParameters
{
    [FromQuery(Name = "status"), Description("Only deliveries in this state: pending, delivered or failed.")]
    public string? Status { get; init; }

    [FromQuery(Name = "device"), Description("Only deliveries fired by this device's events and actions (its id).")]
    public string? Device { get; init; }

    [FromQuery(Name = "action"), Description("Only deliveries fired by this action (its id).")]
    public string? Action { get; init; }

    [FromQuery(Name = "deployment"), Description("Only deliveries fired by this deployment (its id).")]
    public string? Deployment { get; init; }

    /// <summary>The query for the caller's deliveries; null when a filter matches nothing.</summary>
    public DeliveryQuery? ToQuery(TenantScope scope) =>
        QueryIds.TryParse<long>(Action, out var action) && QueryIds.TryParse<long>(Deployment, out var deployment)
            ? new DeliveryQuery(scope, Status, Device, action, deployment)
            : null;
}
