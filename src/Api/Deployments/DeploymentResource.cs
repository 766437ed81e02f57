using Embever.Actors.Actions;
using Embever.Actors.Api.Http;
using Embever.Actors.Deployments;
using Embever.Actors.Platform;

namespace Embever.Actors.Api.Deployments;

public sealed record DeploymentResource(
    string Url,
    long Id,
    IReadOnlyList<string> Devices,
    IReadOnlyList<string> Successful,
    IReadOnlyList<string> Pending,
    IReadOnlyList<string> Failed,
    string Firmware,
    bool Finished,
    bool Cancelled,
    DateTime CreatedAt)
{
    public static DeploymentResource From(HttpContext context, DeploymentView view) => new(
        ResourceUrls.Of(context, "deployments", view.Id), view.Id, view.Devices, view.Successful, view.Pending, view.Failed,
        view.FirmwareId, view.Finished, view.Cancelled, view.CreatedAt);
}

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
