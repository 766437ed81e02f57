namespace Embever.Actors.Deployments.Rollouts;

/// <summary>Where a deployment stands as a whole.</summary>
public enum RolloutStatus
{
    Running,
    Paused,
    Completed,
    Aborted,
    Cancelled,
}

/// <summary>Where one device stands in a rollout: held by the deployment until its group starts and its turn comes, then as its update goes.</summary>
public enum MemberStage
{
    /// <summary>Its <c>_fota</c> action exists but is held: not sent to the device.</summary>
    Held,

    /// <summary>Released: the device gets it at its next wakeup.</summary>
    Released,

    /// <summary>Sent to the device, not finished.</summary>
    Pending,

    Successful,

    Failed,
}

/// <summary>Something a rollout's webhooks tell: <c>group_started</c>, <c>group_completed</c>, <c>paused</c>, <c>aborted</c>, <c>completed</c>.</summary>
/// <param name="Kind">The webhook status.</param>
/// <param name="Group">The group (from 1) for the group events.</param>
public sealed record RolloutEvent(string Kind, int? Group = null)
{
    public const string GroupStarted = "group_started";
    public const string GroupCompleted = "group_completed";
    public const string Paused = "paused";
    public const string Aborted = "aborted";
    public const string Completed = "completed";
}
