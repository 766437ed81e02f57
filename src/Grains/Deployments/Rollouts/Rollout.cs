namespace Embever.Actors.Deployments.Rollouts;

/// <summary>
/// The rules of a staged rollout, as pure code (docs/rollouts.md; the deployment grain holds one
/// and does what its decisions say):
/// <list type="bullet">
/// <item>Group 1 starts at once; group n+1 when group n has at least the success threshold of its
/// devices successful — or, with pauses between groups, when a resume approves it. A group that
/// finished short of the threshold pauses the rollout at its gate: a resume starts the next group
/// anyway.</item>
/// <item>Only started groups' devices get their action, in the order given, at most
/// <c>MaxPerMinute</c> in any minute (the rest wait, held).</item>
/// <item>An update not finished <c>UpdateTimeoutSeconds</c> after its release fails (its action is cancelled).</item>
/// <item>When the failed share of the released devices reaches the error threshold (once one has
/// finished), the rollout aborts: no group starts, every unsent action is withdrawn (those
/// devices fail), what was sent finishes as it does.</item>
/// <item>Paused, nothing is released and no group starts; resumed, all goes on.</item>
/// <item>Completed when every group started and every device finished; cancelled by the caller.</item>
/// </list>
/// Events (<see cref="RolloutEvent"/>) are told once each, in the order they happen.
/// </summary>
public sealed class Rollout
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly List<RolloutMember> members;
    private readonly Dictionary<string, int> byDevice;
    private readonly IReadOnlyList<int> sizes;
    private readonly DateTime?[] startedAt;
    private readonly DateTime?[] completedAt;
    private readonly List<RolloutEvent> events = [];
    private readonly List<string> cancelled = [];
    private readonly List<string> withdrawn = [];

    public Rollout(RolloutPolicy policy, IReadOnlyList<RolloutMember> members, RolloutState state)
    {
        Policy = policy;
        this.members = [.. members];
        byDevice = this.members.Select((m, i) => (m.Device, i)).ToDictionary(p => p.Device, p => p.i);
        sizes = this.members.GroupBy(m => m.Group).OrderBy(g => g.Key).Select(g => g.Count()).ToList();
        startedAt = [.. state.GroupStartedAt];
        completedAt = [.. state.GroupCompletedAt];
        Status = state.Status;
        ApprovedGroup = state.ApprovedGroup;
        AtGate = state.AtGate;

        // Rebuilt after its end was decided, it orders that end again (a crash may have cut it
        // short): cancelling and withdrawing what is still open does nothing twice.
        if (Status == RolloutStatus.Cancelled)
        {
            FailAll(m => !m.IsFinal, cancelled);
        }
        else if (Status == RolloutStatus.Aborted)
        {
            Withdraw();
        }
    }

    public RolloutPolicy Policy { get; }

    public RolloutStatus Status { get; private set; }

    /// <summary>The highest group (from 0) a resume allowed to start.</summary>
    public int ApprovedGroup { get; private set; }

    /// <summary>Paused between groups, waiting for a resume to start the next.</summary>
    public bool AtGate { get; private set; }

    public IReadOnlyList<RolloutMember> Members => members;

    public RolloutState State => new(Status, [.. startedAt], [.. completedAt], ApprovedGroup, AtGate);

    public bool IsOver => Status is RolloutStatus.Completed or RolloutStatus.Aborted or RolloutStatus.Cancelled;

    /// <summary>Cancellations or withdrawals the next <see cref="Advance"/> will order (an end to carry out).</summary>
    public bool HasOrders => cancelled.Count > 0 || withdrawn.Count > 0;

    /// <summary>A new rollout's members: the devices in the order given, each in its group, all held.</summary>
    public static Rollout Start(RolloutPolicy policy, IReadOnlyList<string> devices)
    {
        var sizes = policy.GroupSizes(devices.Count);
        var members = new List<RolloutMember>(devices.Count);
        for (var group = 0; group < sizes.Count; group++)
        {
            members.AddRange(devices.Skip(members.Count).Take(sizes[group]).Select(d => new RolloutMember(d, group, MemberStage.Held, null)));
        }

        return new Rollout(policy, members, RolloutState.New(sizes.Count));
    }

    public IReadOnlyList<RolloutGroup> Groups() => sizes.Select((size, group) =>
    {
        var inGroup = members.Where(m => m.Group == group).ToList();
        return new RolloutGroup(
            size,
            startedAt[group],
            completedAt[group],
            inGroup.Count(m => m.Stage == MemberStage.Successful),
            inGroup.Count(m => m.Stage == MemberStage.Failed),
            inGroup.Count(m => !m.IsFinal),
            inGroup.Count(m => m.Stage == MemberStage.Held));
    }).ToList();

    /// <summary>A device's update moved (reported by its grain); a held or finished member does not move this way.</summary>
    public void Record(string device, UpdateOutcome outcome)
    {
        if (!byDevice.TryGetValue(device, out var index) || members[index] is not { IsUnderway: true } member)
        {
            return;
        }

        var stage = outcome switch
        {
            UpdateOutcome.Successful => MemberStage.Successful,
            UpdateOutcome.Failed => MemberStage.Failed,
            UpdateOutcome.Pending => MemberStage.Pending,
            _ => member.Stage,
        };
        members[index] = member with { Stage = stage };
    }

    /// <summary>Pauses by hand: nothing more is released and no group starts until <see cref="Resume"/>.</summary>
    public void Pause() => Pause(atGate: false);

    /// <summary>Goes on; paused at a gate between groups, this approves the next group.</summary>
    public void Resume()
    {
        if (Status == RolloutStatus.Paused)
        {
            Status = RolloutStatus.Running;
            if (AtGate)
            {
                ApprovedGroup = Math.Max(ApprovedGroup, LastStarted + 1);
                AtGate = false;
            }
        }
    }

    /// <summary>Cancels every update not finished; those devices fail. What was sent may still be done by the device, but no longer counts.</summary>
    public void Cancel()
    {
        if (Status is RolloutStatus.Completed or RolloutStatus.Cancelled)
        {
            return;
        }

        Status = RolloutStatus.Cancelled;
        FailAll(m => !m.IsFinal, cancelled);
    }

    /// <summary>Applies the rules at <paramref name="now"/> and says what to do.</summary>
    public RolloutDecision Advance(DateTime now)
    {
        if (Status != RolloutStatus.Cancelled)
        {
            TimeOut(now);
            if (Status is RolloutStatus.Running or RolloutStatus.Paused && ErrorThresholdReached())
            {
                Status = RolloutStatus.Aborted;
                events.Add(new RolloutEvent(RolloutEvent.Aborted));
                Withdraw();
            }
        }

        // A group's completion is told before what it leads to (the next group, a pause at the gate).
        CompleteGroups(now);
        if (Status != RolloutStatus.Cancelled)
        {
            StartGroups(now);
        }

        var released = Status == RolloutStatus.Running ? Release(now) : [];
        if (Status is RolloutStatus.Running or RolloutStatus.Paused && startedAt.All(s => s is not null) && members.All(m => m.IsFinal))
        {
            Status = RolloutStatus.Completed;
            events.Add(new RolloutEvent(RolloutEvent.Completed));
        }

        var decision = new RolloutDecision(released, [.. cancelled], [.. withdrawn], [.. events], WakeAt(now));
        cancelled.Clear();
        withdrawn.Clear();
        events.Clear();
        return decision;
    }

    private int LastStarted => Array.FindLastIndex(startedAt, s => s is not null);

    private void TimeOut(DateTime now)
    {
        if (Policy.UpdateTimeoutSeconds is not { } seconds)
        {
            return;
        }

        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is { IsUnderway: true, ReleasedAt: { } released } member && released.AddSeconds(seconds) <= now)
            {
                members[i] = member with { Stage = MemberStage.Failed };
                cancelled.Add(member.Device);
            }
        }
    }

    /// <summary>The failed share of the devices released so far, once one of them finished.</summary>
    private bool ErrorThresholdReached()
    {
        if (Policy.ErrorThreshold is not { } threshold)
        {
            return false;
        }

        var started = members.Where(m => m.ReleasedAt is not null).ToList();
        var failed = started.Count(m => m.Stage == MemberStage.Failed);
        return started.Any(m => m.IsFinal) && (double)failed / started.Count >= threshold;
    }

    private void StartGroups(DateTime now)
    {
        if (Status == RolloutStatus.Running && startedAt[0] is null)
        {
            Begin(0, now);
        }

        while (Status == RolloutStatus.Running && LastStarted is var last && last + 1 < sizes.Count)
        {
            var approved = ApprovedGroup >= last + 1;
            if (!GateOpen(last))
            {
                // Still open to reach: wait. Finished short of it, it never will: a person decides
                // (a resume starts the next group anyway, a cancel ends it) rather than it hanging.
                if (!approved && members.Where(m => m.Group == last).All(m => m.IsFinal))
                {
                    Pause(atGate: true);
                }

                if (!approved)
                {
                    break;
                }
            }
            else if (Policy.PauseBetweenGroups && !approved)
            {
                Pause(atGate: true);
                break;
            }

            Begin(last + 1, now);
        }
    }

    private bool GateOpen(int group) =>
        members.Count(m => m.Group == group && m.Stage == MemberStage.Successful) >= Policy.SuccessThreshold * sizes[group] - 1e-9;

    private void Begin(int group, DateTime now)
    {
        startedAt[group] = now;
        events.Add(new RolloutEvent(RolloutEvent.GroupStarted, group + 1));
    }

    /// <summary>Releases held members of started groups, in order, as pacing allows.</summary>
    private List<string> Release(DateTime now)
    {
        var allowed = Policy.MaxPerMinute is { } perMinute
            ? Math.Max(0, perMinute - members.Count(m => m.ReleasedAt is { } at && at > now - Minute))
            : int.MaxValue;
        var released = new List<string>();
        for (var i = 0; i < members.Count && released.Count < allowed; i++)
        {
            if (members[i] is { Stage: MemberStage.Held, ReleasedAt: null } member && startedAt[member.Group] is not null)
            {
                members[i] = member with { Stage = MemberStage.Released, ReleasedAt = now };
                released.Add(member.Device);
            }
        }

        return released;
    }

    private void CompleteGroups(DateTime now)
    {
        for (var group = 0; group < sizes.Count; group++)
        {
            if (startedAt[group] is not null && completedAt[group] is null && members.Where(m => m.Group == group).All(m => m.IsFinal))
            {
                completedAt[group] = now;
                events.Add(new RolloutEvent(RolloutEvent.GroupCompleted, group + 1));
            }
        }
    }

    private void Pause(bool atGate)
    {
        if (Status == RolloutStatus.Running)
        {
            Status = RolloutStatus.Paused;
            AtGate = atGate;
            events.Add(new RolloutEvent(RolloutEvent.Paused));
        }
    }

    /// <summary>
    /// An abort's orders: every action not sent is withdrawn. A held one was never sent, so its
    /// member fails now; a released one may have reached its device meanwhile, so its member
    /// stays underway until the device grain tells: failed (withdrawn), or how the update went.
    /// </summary>
    private void Withdraw()
    {
        foreach (var member in members.Where(m => m.Stage is MemberStage.Held or MemberStage.Released))
        {
            withdrawn.Add(member.Device);
        }

        FailAll(m => m.Stage == MemberStage.Held, []);
    }

    private void FailAll(Func<RolloutMember, bool> which, List<string> actions)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (which(members[i]))
            {
                actions.Add(members[i].Device);
                members[i] = members[i] with { Stage = MemberStage.Failed };
            }
        }
    }

    /// <summary>When the rules may next have something to do by themselves: a pacing slot, a timeout.</summary>
    private DateTime? WakeAt(DateTime now)
    {
        var times = new List<DateTime>();
        if (Status == RolloutStatus.Running && members.Any(m => m.Stage == MemberStage.Held && startedAt[m.Group] is not null))
        {
            // Devices wait only for pacing: the oldest release of the last minute frees a slot a minute after it.
            var window = members.Where(m => m.ReleasedAt is { } at && at > now - Minute).Select(m => m.ReleasedAt!.Value).ToList();
            if (window.Count > 0)
            {
                times.Add(window.Min() + Minute);
            }
        }

        if (Policy.UpdateTimeoutSeconds is { } seconds && Status != RolloutStatus.Cancelled)
        {
            times.AddRange(members.Where(m => m.IsUnderway && m.ReleasedAt is not null).Select(m => m.ReleasedAt!.Value.AddSeconds(seconds)));
        }

        return times.Count == 0 ? null : times.Min();
    }
}
