namespace Embever.Actors.Deployments.Rollouts;

/// <summary>One device of a rollout: its group (from 0), its stage, and when its action was released.</summary>
public sealed record RolloutMember(string Device, int Group, MemberStage Stage, DateTime? ReleasedAt)
{
    public bool IsFinal => Stage is MemberStage.Successful or MemberStage.Failed;

    /// <summary>Released and not finished: the device has (or will have) the action.</summary>
    public bool IsUnderway => Stage is MemberStage.Released or MemberStage.Pending;
}

/// <summary>
/// What a rollout keeps besides its members (the deployment row): its status, when each group
/// started and completed, up to which group a resume approved starting, and whether it is paused
/// at such a gate (pauses between groups) rather than by hand.
/// </summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.RolloutState")]
public sealed record RolloutState(
    RolloutStatus Status,
    IReadOnlyList<DateTime?> GroupStartedAt,
    IReadOnlyList<DateTime?> GroupCompletedAt,
    int ApprovedGroup,
    bool AtGate)
{
    public static RolloutState New(int groups) => new(RolloutStatus.Running, new DateTime?[groups], new DateTime?[groups], 0, false);
}

/// <summary>A group as the deployment resource shows it: <c>Pending</c> counts every unfinished update, <c>Held</c> those of them not released to their device yet.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.RolloutGroup")]
public sealed record RolloutGroup(int Size, DateTime? StartedAt, DateTime? CompletedAt, int Successful, int Failed, int Pending, int Held = 0);
