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

    /// <summary>The query for the caller's deliveries, or the 400 naming what is malformed.</summary>
    public (DeliveryQuery? Query, ValidationProblem? Problem) ToQuery(TenantScope scope)
    {
        var errors = new FieldErrors();
        if (Status is not null and not (DeliveryStatuses.Pending or DeliveryStatuses.Delivered or DeliveryStatuses.Failed))
        {
            errors.Add("status", "Must be pending, delivered or failed.");
        }

        QueryIds.Parse<long>(Action, "action", errors, out var action);
        QueryIds.Parse<long>(Deployment, "deployment", errors, out var deployment);
        return errors.IsEmpty ? (new DeliveryQuery(scope, Status, Device, action, deployment), null) : (null, errors.Problem());
    }
}
