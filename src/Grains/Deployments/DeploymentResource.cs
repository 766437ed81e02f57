using Embever.Actors.Deployments.Rollouts;
using Embever.Actors.Platform;

namespace Embever.Actors.Deployments;

/// <summary>A deployment and its progress, as the API shows it and as its webhooks carry it; <c>status</c> is running, paused, completed, aborted or cancelled; <c>rollout</c> the staged rollout it was created with (null: every device at once) and <c>groups</c> its progress per group.</summary>
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
    IReadOnlyList<DeploymentWebhookResource> Webhooks,
    DateTime CreatedAt)
{
    public static DeploymentResource From(string baseUrl, DeploymentView view) => new(
        ResourceUrl.Of(baseUrl, "deployments", view.Id), view.Id, view.Devices, view.Successful, view.Pending, view.Failed,
        view.FirmwareId, view.Finished, view.Cancelled, view.Status.ToString().ToLowerInvariant(),
        view.Rollout is { } policy ? RolloutResource.From(policy) : null,
        view.Groups?.Select(g => new RolloutGroupResource(g.Size, g.StartedAt, g.CompletedAt, g.Successful, g.Failed, g.Pending, g.Held)).ToList(),
        (view.Webhooks ?? []).Select(w => new DeploymentWebhookResource(w.Status, w.Url)).ToList(),
        view.CreatedAt);
}

public sealed record RolloutResource(IReadOnlyList<int> Groups, double SuccessThreshold, double? ErrorThreshold, int? MaxPerMinute, int? UpdateTimeoutSeconds, bool PauseBetweenGroups)
{
    public static RolloutResource From(RolloutPolicy policy) =>
        new(policy.Groups, policy.SuccessThreshold, policy.ErrorThreshold, policy.MaxPerMinute, policy.UpdateTimeoutSeconds, policy.PauseBetweenGroups);
}

/// <summary>One group of a rollout: its size, when it started and completed, and its devices' updates by outcome — <c>pending</c> is every unfinished one, <c>held</c> those of them not released to their device yet (the group has not started, or pacing holds them).</summary>
public sealed record RolloutGroupResource(int Size, DateTime? StartedAt, DateTime? CompletedAt, int Successful, int Failed, int Pending, int Held);

/// <summary>A deployment's webhook: POSTed when the deployment reaches <c>status</c>.</summary>
public sealed record DeploymentWebhookResource(string Status, string Url);
