using Embever.Actors.Actions;
using Embever.Actors.Api.Http;
using Embever.Actors.Deployments;
using Embever.Actors.Platform;

namespace Embever.Actors.Api.Deployments;

/// <summary>A deployment and its progress; <c>status</c> is running, paused, completed, aborted or cancelled; <c>rollout</c> the staged rollout it was created with (null: every device at once) and <c>groups</c> its progress per group.</summary>
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
    string Status,
    RolloutResource? Rollout,
    IReadOnlyList<RolloutGroupResource>? Groups,
    DateTime CreatedAt)
{
    public static DeploymentResource From(HttpContext context, DeploymentView view) => new(
        ResourceUrls.Of(context, "deployments", view.Id), view.Id, view.Devices, view.Successful, view.Pending, view.Failed,
        view.FirmwareId, view.Finished, view.Cancelled, view.Status.ToString().ToLowerInvariant(),
        view.Rollout is { } policy ? RolloutResource.From(policy) : null,
        view.Groups?.Select(g => new RolloutGroupResource(g.Size, g.StartedAt, g.CompletedAt, g.Successful, g.Failed, g.Pending)).ToList(),
        view.CreatedAt);
}

public sealed record RolloutResource(IReadOnlyList<int> Groups, double SuccessThreshold, double? ErrorThreshold, int? MaxPerMinute, int? UpdateTimeoutSeconds, bool PauseBetweenGroups)
{
    public static RolloutResource From(Embever.Actors.Deployments.Rollouts.RolloutPolicy policy) =>
        new(policy.Groups, policy.SuccessThreshold, policy.ErrorThreshold, policy.MaxPerMinute, policy.UpdateTimeoutSeconds, policy.PauseBetweenGroups);
}

public sealed record RolloutGroupResource(int Size, DateTime? StartedAt, DateTime? CompletedAt, int Successful, int Failed, int Pending);

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
