using Embever.Actors.Actions;
using Embever.Actors.Api.Http;
using Embever.Actors.Deployments;
using Embever.Actors.Platform;

namespace Embever.Actors.Api.Deployments;

/// <summary>One device's firmware update in a deployment: the status of its <c>_fota</c> action and the device's result.</summary>
public sealed record UpdateResource(
    string Url,
    long Id,
    long Deployment,
    string Device,
    long Action,
    IReadOnlyDictionary<string, DateTime> Status,
    RawJson Result,
    string? ResultCode,
    bool Finished,
    DateTime ChangedAt,
    DateTime CreatedAt)
{
    public static UpdateResource From(HttpContext context, UpdateView view) => new(
        ResourceUrls.Of(context, "updates", view.Id), view.Id, view.DeploymentId, view.DeviceId, view.ActionId,
        ActionStatuses.All.Where(view.Status.ContainsKey).ToDictionary(s => s, s => view.Status[s]),
        RawJson.From(view.ResultJson), view.ResultCode, view.Finished, view.ChangedAt, view.CreatedAt);
}
