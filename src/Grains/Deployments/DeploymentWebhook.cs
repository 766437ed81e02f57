using Embever.Actors.Deployments.Rollouts;

namespace Embever.Actors.Deployments;

/// <summary>
/// A deployment's webhook: fired when the deployment tells <c>Status</c> — one of
/// <see cref="Statuses"/> (a <see cref="RolloutEvent"/>'s kind).
/// </summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeploymentWebhook")]
public sealed record DeploymentWebhook(string Status, string Url)
{
    public static readonly IReadOnlyList<string> Statuses =
        [RolloutEvent.GroupStarted, RolloutEvent.GroupCompleted, RolloutEvent.Paused, RolloutEvent.Aborted, RolloutEvent.Completed];
}

/// <summary>
/// The body of a deployment's webhook: what happened (<c>event</c>, and <c>group</c> from 1 for
/// the group events), when, and the deployment as it stood then.
/// </summary>
public sealed record DeploymentWebhookBody(string Event, int? Group, DateTime At, DeploymentResource Deployment);
