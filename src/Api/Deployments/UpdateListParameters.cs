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

    /// <summary>The query for the caller's updates; null when a filter matches nothing.</summary>
    public UpdateQuery? ToQuery(TenantScope scope) =>
        QueryIds.TryParse<long>(Deployment, out var deployment) ? new UpdateQuery(scope, Device, deployment) : null;
}
