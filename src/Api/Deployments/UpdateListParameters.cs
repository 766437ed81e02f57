using System.ComponentModel;
using Embever.Actors.Api.Http;
using Embever.Actors.Deployments;
using Embever.Actors.Storage.Index;
using Microsoft.AspNetCore.Mvc;

namespace Embever.Actors.Api.Deployments;

/// <summary>The filters of <c>GET /v2/updates/</c>.</summary>
public sealed record UpdateListParameters
{
    [FromQuery(Name = "device"), Description("Only updates of this device (its id).")]
    public string? Device { get; init; }

    [FromQuery(Name = "deployment"), Description("Only updates of this deployment (its id).")]
    public string? Deployment { get; init; }

    /// <summary>The query for the caller's updates, or the 400 naming what is malformed.</summary>
    public (UpdateQuery? Query, ValidationProblem? Problem) ToQuery(TenantScope scope)
    {
        var errors = new FieldErrors();
        QueryIds.Parse<long>(Deployment, "deployment", errors, out var deployment);
        return errors.IsEmpty ? (new UpdateQuery(scope, Device, deployment), null) : (null, errors.Problem());
    }
}
