namespace Embever.Actors.Load.Report;

/// <summary>
/// A staged rollout as the harness watched it: the deployment read once a second (each group's
/// counts and the rollout's status) and the webhooks it told, in seconds since the measured phase
/// started. <see cref="RolloutPlot"/> draws it.
/// </summary>
public sealed record RolloutTimeline(List<int> GroupSizes, List<RolloutSample> Samples, List<RolloutMark> Marks);

/// <summary>The deployment at one moment: its status and, per group, its updates by outcome.</summary>
public sealed record RolloutSample(double Second, string Status, List<GroupCounts> Groups);

/// <summary>A group's updates: successful, failed, pending (unfinished), and of those held (not released to the device yet); whether it started, and whether the deployment has called it completed.</summary>
public sealed record GroupCounts(int Successful, int Failed, int Pending, int Held, bool Started, bool Completed = false)
{
    /// <summary>Released to its device and not finished.</summary>
    public int InFlight => Pending - Held;
}

/// <summary>A webhook the deployment told: <c>group_started</c>, <c>group_completed</c> (with its group), <c>paused</c>, <c>aborted</c>, <c>completed</c>.</summary>
public sealed record RolloutMark(double Second, string Event, int? Group);
