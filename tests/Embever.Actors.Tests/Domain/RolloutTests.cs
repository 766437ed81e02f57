using Embever.Actors.Deployments;
using Embever.Actors.Deployments.Rollouts;

namespace Embever.Actors.Tests.Domain;

/// <summary>Every rule of a staged rollout (docs/rollouts.md), on the pure state machine, with time given.</summary>
public sealed class RolloutTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc);

    private static List<string> Devices(int count) => Enumerable.Range(1, count).Select(i => $"d{i:000}").ToList();

    private static void Report(Rollout rollout, IEnumerable<string> devices, UpdateOutcome outcome)
    {
        foreach (var device in devices)
        {
            rollout.Record(device, UpdateOutcome.Pending);
            rollout.Record(device, outcome);
        }
    }

    private static string[] Kinds(RolloutDecision decision) => decision.Events.Select(e => e.Group is { } g ? $"{e.Kind} {g}" : e.Kind).ToArray();

    [Theory]
    [InlineData(new[] { 10, 100 }, 50, new[] { 10, 40 })]
    [InlineData(new[] { 10, 100 }, 200, new[] { 10, 100, 90 })]
    [InlineData(new[] { 10, 100 }, 110, new[] { 10, 100 })]
    [InlineData(new int[0], 7, new[] { 7 })]
    [InlineData(new[] { 5 }, 3, new[] { 3 })]
    public void Groups_are_taken_in_the_order_given_and_the_devices_left_over_form_the_last(int[] groups, int devices, int[] expected)
    {
        Assert.Equal(expected, new RolloutPolicy(groups).GroupSizes(devices));
        var rollout = Rollout.Start(new RolloutPolicy(groups), Devices(devices));
        Assert.Equal(expected, rollout.Groups().Select(g => g.Size));
        Assert.Equal(Devices(devices), rollout.Members.Select(m => m.Device));
    }

    [Fact]
    public void Without_a_rollout_every_device_gets_its_update_at_once_and_it_completes_when_all_finish()
    {
        var rollout = Rollout.Start(RolloutPolicy.AllAtOnce, Devices(5));
        var first = rollout.Advance(T0);
        Assert.Equal(Devices(5), first.Release);
        Assert.Equal(["group_started 1"], Kinds(first));
        Assert.Null(first.WakeAt);

        Report(rollout, Devices(4), UpdateOutcome.Successful);
        Assert.True(rollout.Advance(T0.AddMinutes(1)).IsEmpty);
        Report(rollout, ["d005"], UpdateOutcome.Failed);
        var last = rollout.Advance(T0.AddMinutes(2));
        Assert.Equal(["group_completed 1", "completed"], Kinds(last));
        Assert.Equal(RolloutStatus.Completed, rollout.Status);
        Assert.Equal(new RolloutGroup(5, T0, T0.AddMinutes(2), 4, 1, 0), rollout.Groups().Single());
        Assert.True(rollout.Advance(T0.AddMinutes(3)).IsEmpty);
    }

    [Fact]
    public void A_group_starts_only_when_the_one_before_has_the_success_threshold_and_only_started_groups_get_their_action()
    {
        var rollout = Rollout.Start(new RolloutPolicy([2, 4], SuccessThreshold: 0.5), Devices(10));
        Assert.Equal(["d001", "d002"], rollout.Advance(T0).Release);

        Report(rollout, ["d001"], UpdateOutcome.Failed);
        Assert.True(rollout.Advance(T0.AddMinutes(1)).IsEmpty);
        Report(rollout, ["d002"], UpdateOutcome.Successful);
        var second = rollout.Advance(T0.AddMinutes(2));
        Assert.Equal(["d003", "d004", "d005", "d006"], second.Release);
        Assert.Equal(["group_completed 1", "group_started 2"], Kinds(second));

        // 2 of 4 successful is the threshold: the rest (the last group) starts while two are still pending.
        Report(rollout, ["d003", "d004"], UpdateOutcome.Successful);
        var third = rollout.Advance(T0.AddMinutes(3));
        Assert.Equal(["d007", "d008", "d009", "d010"], third.Release);
        Assert.Equal(["group_started 3"], Kinds(third));
        Assert.Equal([1, 2, 0], rollout.Groups().Select(g => g.Successful));
        Assert.Equal([0, 2, 4], rollout.Groups().Select(g => g.Pending));
    }

    [Fact]
    public void The_default_threshold_waits_for_every_device_of_the_group()
    {
        var rollout = Rollout.Start(new RolloutPolicy([2]), Devices(4));
        rollout.Advance(T0);
        Report(rollout, ["d001"], UpdateOutcome.Successful);
        Assert.Empty(rollout.Advance(T0).Release);
        Report(rollout, ["d002"], UpdateOutcome.Successful);
        Assert.Equal(["d003", "d004"], rollout.Advance(T0).Release);
    }

    [Fact]
    public void A_group_that_finished_short_of_its_threshold_pauses_at_the_gate_and_a_resume_starts_the_next_anyway()
    {
        var rollout = Rollout.Start(new RolloutPolicy([2], SuccessThreshold: 1.0), Devices(4));
        rollout.Advance(T0);
        Report(rollout, ["d001"], UpdateOutcome.Failed);
        Assert.True(rollout.Advance(T0.AddMinutes(1)).IsEmpty);

        // The gate can no longer open: it does not hang running, it waits for a person.
        Report(rollout, ["d002"], UpdateOutcome.Successful);
        var stopped = rollout.Advance(T0.AddMinutes(2));
        Assert.Equal(["group_completed 1", "paused"], Kinds(stopped));
        Assert.Empty(stopped.Release);
        Assert.Equal(RolloutStatus.Paused, rollout.Status);
        Assert.True(rollout.AtGate);

        rollout.Resume();
        var next = rollout.Advance(T0.AddMinutes(3));
        Assert.Equal(["d003", "d004"], next.Release);
        Assert.Equal(["group_started 2"], Kinds(next));
    }

    [Fact]
    public void Reaching_the_error_threshold_aborts_withdraws_what_was_not_sent_and_lets_what_was_sent_finish()
    {
        var rollout = Rollout.Start(new RolloutPolicy([4], SuccessThreshold: 0.25, ErrorThreshold: 0.5, MaxPerMinute: 6), Devices(10));
        Assert.Equal(["d001", "d002", "d003", "d004"], rollout.Advance(T0).Release);
        Report(rollout, ["d001"], UpdateOutcome.Successful);
        Assert.Equal(["d005", "d006"], rollout.Advance(T0).Release);

        // Six released (pacing: 6 a minute); d002 and d003 fail (2 of 6), d004 is on the device, d005 and d006 wait for their wakeup.
        rollout.Record("d004", UpdateOutcome.Pending);
        Report(rollout, ["d002", "d003"], UpdateOutcome.Failed);
        Assert.DoesNotContain(rollout.Advance(T0.AddSeconds(10)).Events, e => e.Kind == RolloutEvent.Aborted);
        Report(rollout, ["d006"], UpdateOutcome.Failed);
        var aborted = rollout.Advance(T0.AddSeconds(20));

        // Withdrawn: the released d005 (maybe on its device already: it stays underway until its
        // grain tells) and the held d007–d010 (never sent: failed now).
        Assert.Equal(["aborted"], Kinds(aborted));
        Assert.Equal(RolloutStatus.Aborted, rollout.Status);
        Assert.Equal(["d005", "d007", "d008", "d009", "d010"], aborted.Withdraw);
        Assert.Empty(aborted.Cancel);
        Assert.Empty(aborted.Release);
        Assert.Null(aborted.WakeAt);
        Assert.Equal(MemberStage.Released, rollout.Members.Single(m => m.Device == "d005").Stage);
        Assert.Equal(MemberStage.Failed, rollout.Members.Single(m => m.Device == "d007").Stage);

        // d005 had taken it just before: it updates and counts. What was sent finishes as it does;
        // no group starts again; nothing completes it.
        Report(rollout, ["d005"], UpdateOutcome.Successful);
        rollout.Record("d004", UpdateOutcome.Successful);
        var after = rollout.Advance(T0.AddMinutes(5));
        Assert.Equal(["group_completed 1", "group_completed 2"], Kinds(after));
        Assert.Equal(RolloutStatus.Aborted, rollout.Status);
        Assert.Equal([2, 1], rollout.Groups().Select(g => g.Successful));
        Assert.Equal([2, 5], rollout.Groups().Select(g => g.Failed));
    }

    [Fact]
    public void Rebuilt_after_its_end_was_decided_it_orders_that_end_again()
    {
        var policy = new RolloutPolicy([2], ErrorThreshold: 0.5);
        var before = Rollout.Start(policy, Devices(4));
        before.Advance(T0);
        Report(before, ["d001"], UpdateOutcome.Failed);
        Assert.Equal(["d002", "d003", "d004"], before.Advance(T0.AddMinutes(1)).Withdraw);

        // The silo died before the withdrawals were done: the rows still say d002 released, d003 and d004 held.
        List<RolloutMember> rows =
        [
            new("d001", 0, MemberStage.Failed, T0), new("d002", 0, MemberStage.Released, T0),
            new("d003", 1, MemberStage.Held, null), new("d004", 1, MemberStage.Held, null),
        ];
        var aborted = new Rollout(policy, rows, before.State);
        Assert.True(aborted.HasOrders);
        var again = aborted.Advance(T0.AddMinutes(2));
        Assert.Equal(["d002", "d003", "d004"], again.Withdraw);
        Assert.Empty(again.Events);
        Assert.False(aborted.HasOrders);

        // A cancelled one cancels every unfinished update again.
        var cancelled = new Rollout(policy, rows, before.State with { Status = RolloutStatus.Cancelled });
        Assert.Equal(["d002", "d003", "d004"], cancelled.Advance(T0.AddMinutes(2)).Cancel);
    }

    [Fact]
    public void Releases_are_paced_to_max_per_minute_and_it_asks_to_be_woken_when_the_next_slot_frees()
    {
        var rollout = Rollout.Start(new RolloutPolicy([], MaxPerMinute: 3), Devices(8));
        var first = rollout.Advance(T0);
        Assert.Equal(["d001", "d002", "d003"], first.Release);
        Assert.Equal(T0.AddMinutes(1), first.WakeAt);
        Assert.Equal((8, 5), (rollout.Groups()[0].Pending, rollout.Groups()[0].Held));
        Assert.Empty(rollout.Advance(T0.AddSeconds(59)).Release);
        var second = rollout.Advance(T0.AddSeconds(60));
        Assert.Equal(["d004", "d005", "d006"], second.Release);
        Assert.Equal(T0.AddSeconds(120), second.WakeAt);
        Assert.Equal(["d007", "d008"], rollout.Advance(T0.AddSeconds(125)).Release);
        Assert.Null(rollout.Advance(T0.AddSeconds(130)).WakeAt);
        Assert.Equal(8, rollout.Members.Count(m => m.ReleasedAt is not null));
    }

    [Fact]
    public void An_update_not_finished_within_the_timeout_fails_and_its_action_is_cancelled()
    {
        var rollout = Rollout.Start(new RolloutPolicy([], UpdateTimeoutSeconds: 3600), Devices(3));
        var first = rollout.Advance(T0);
        Assert.Equal(T0.AddHours(1), first.WakeAt);
        Report(rollout, ["d001"], UpdateOutcome.Successful);
        rollout.Record("d002", UpdateOutcome.Pending);

        Assert.Empty(rollout.Advance(T0.AddMinutes(59)).Cancel);
        var timedOut = rollout.Advance(T0.AddHours(1));
        Assert.Equal(["d002", "d003"], timedOut.Cancel);
        Assert.Equal(["group_completed 1", "completed"], Kinds(timedOut));
        Assert.Equal(new RolloutGroup(3, T0, T0.AddHours(1), 1, 2, 0), rollout.Groups().Single());

        // A report after the timeout changes nothing.
        rollout.Record("d002", UpdateOutcome.Successful);
        Assert.Equal(1, rollout.Groups().Single().Successful);
    }

    [Fact]
    public void Paused_nothing_is_released_and_no_group_starts_resumed_all_goes_on()
    {
        var rollout = Rollout.Start(new RolloutPolicy([1], MaxPerMinute: 1), Devices(3));
        Assert.Equal(["d001"], rollout.Advance(T0).Release);
        rollout.Pause();
        Report(rollout, ["d001"], UpdateOutcome.Successful);
        var paused = rollout.Advance(T0.AddMinutes(5));
        Assert.Equal(["paused", "group_completed 1"], Kinds(paused));
        Assert.Empty(paused.Release);
        Assert.Null(paused.WakeAt);
        Assert.Equal(RolloutStatus.Paused, rollout.Status);

        rollout.Resume();
        var resumed = rollout.Advance(T0.AddMinutes(6));
        Assert.Equal(["d002"], resumed.Release);
        Assert.Equal(["group_started 2"], Kinds(resumed));
        Assert.Equal(RolloutStatus.Running, rollout.Status);
    }

    [Fact]
    public void With_pauses_between_groups_each_gate_waits_for_a_resume_and_a_pause_by_hand_approves_nothing()
    {
        var rollout = Rollout.Start(new RolloutPolicy([1, 1], PauseBetweenGroups: true), Devices(3));
        rollout.Advance(T0);

        // A pause and resume within group 1 does not open the gate after it.
        rollout.Pause();
        Assert.Equal(["paused"], Kinds(rollout.Advance(T0.AddSeconds(30))));
        Assert.False(rollout.AtGate);
        rollout.Resume();
        Report(rollout, ["d001"], UpdateOutcome.Successful);
        var gate = rollout.Advance(T0.AddMinutes(1));
        Assert.Equal(["group_completed 1", "paused"], Kinds(gate));
        Assert.True(rollout.AtGate);
        Assert.Empty(rollout.Advance(T0.AddMinutes(2)).Release);

        rollout.Resume();
        var second = rollout.Advance(T0.AddMinutes(3));
        Assert.Equal(["d002"], second.Release);
        Assert.Equal(["group_started 2"], Kinds(second));

        Report(rollout, ["d002"], UpdateOutcome.Successful);
        Assert.Equal(["group_completed 2", "paused"], Kinds(rollout.Advance(T0.AddMinutes(4))));
        rollout.Resume();
        Assert.Equal(["d003"], rollout.Advance(T0.AddMinutes(5)).Release);
    }

    [Fact]
    public void Cancelled_every_unfinished_update_fails_and_its_action_is_cancelled()
    {
        var rollout = Rollout.Start(new RolloutPolicy([2]), Devices(4));
        rollout.Advance(T0);
        Report(rollout, ["d001"], UpdateOutcome.Successful);
        rollout.Record("d002", UpdateOutcome.Pending);
        rollout.Cancel();
        var cancelled = rollout.Advance(T0.AddMinutes(1));
        Assert.Equal(["d002", "d003", "d004"], cancelled.Cancel);
        Assert.Empty(cancelled.Release);
        Assert.Equal(RolloutStatus.Cancelled, rollout.Status);
        Assert.Equal([1, 0], rollout.Groups().Select(g => g.Successful));
        Assert.Equal([1, 2], rollout.Groups().Select(g => g.Failed));
        Assert.DoesNotContain(cancelled.Events, e => e.Kind == RolloutEvent.Completed);
    }

    [Fact]
    public void Rebuilt_from_its_members_and_state_a_rollout_goes_on_where_it_stood()
    {
        var policy = new RolloutPolicy([2, 2], MaxPerMinute: 2, PauseBetweenGroups: true);
        var before = Rollout.Start(policy, Devices(6));
        before.Advance(T0);
        Report(before, ["d001", "d002"], UpdateOutcome.Successful);
        before.Advance(T0.AddMinutes(1));
        before.Resume();
        Assert.Equal(["d003", "d004"], before.Advance(T0.AddMinutes(2)).Release);

        // As after a restart: the members from the update rows, the state from the deployment row.
        var after = new Rollout(policy, before.Members, before.State);
        Assert.Equal(before.Groups(), after.Groups());
        Report(after, ["d003", "d004"], UpdateOutcome.Successful);
        var gate = after.Advance(T0.AddMinutes(3));
        Assert.Equal(["group_completed 2", "paused"], Kinds(gate));
        after.Resume();
        Assert.Equal(["d005", "d006"], after.Advance(T0.AddMinutes(4)).Release);
    }
}
