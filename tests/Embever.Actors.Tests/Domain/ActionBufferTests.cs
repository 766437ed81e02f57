using Embever.Actors.Actions;

namespace Embever.Actors.Tests.Domain;

/// <summary>Every rule of CONTRACT.md "Actions: the state machine", on the pure state machine.</summary>
public sealed class ActionBufferTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly ActionBuffer buffer = new([], []);
    private long nextId = 100;

    private DeviceAction NewAction(string type = "setSettings", int serviceLevel = 0, DateTime? expiry = null, DateTime? createdAt = null) => new()
    {
        Id = nextId++,
        DeviceId = "dev1",
        OrganisationId = Guid.Empty,
        Type = type,
        ServiceLevel = serviceLevel,
        ExpiryDate = expiry,
        CreatedAt = createdAt ?? T0.AddSeconds(nextId),
    };

    private DeviceAction Add(string type = "setSettings", int serviceLevel = 0, DateTime? expiry = null)
    {
        var action = NewAction(type, serviceLevel, expiry);
        buffer.Add(action, T0);
        return action;
    }

    private ExchangeDecision Wake(DateTime? at = null, IReadOnlyList<long>? acks = null, IReadOnlyList<DeviceResponse>? responses = null, IReadOnlyList<FileTransferReport>? files = null, IReadOnlyList<DeviceAction>? stored = null) =>
        buffer.Exchange(new ActionReports(acks ?? [], responses ?? [], files ?? []), stored ?? [], at ?? T0.AddMinutes(1));

    private static long[] Ids(ExchangeDecision decision) => decision.Outgoing.Select(a => a.Id).ToArray();

    [Fact]
    public void A_new_action_is_buffered_until_the_device_wakes()
    {
        var action = Add();
        Assert.True(action.IsBuffered);
        Assert.Empty(action.Status);
        Assert.Equal(0, action.SendCount);
    }

    [Fact]
    public void A_new_action_of_a_buffered_type_overrides_the_buffered_one()
    {
        var older = Add("setSettings");
        var newer = NewAction("setSettings");
        var changes = buffer.Add(newer, T0.AddSeconds(5));

        Assert.True(older.Finished);
        Assert.Equal(T0.AddSeconds(5), older.Status[ActionStatuses.Overridden]);
        Assert.Equal($"{{\"overridden_by\":{newer.Id}}}", older.ResultJson);
        Assert.Equal([new ActionChange(older, ActionStatuses.Overridden)], changes.Reached);
        Assert.Equal([newer], buffer.Pending);
        Assert.Equal([newer.Id], Ids(Wake()));
    }

    [Fact]
    public void Actions_of_different_types_are_buffered_side_by_side()
    {
        var a = Add("a");
        var b = Add("b");
        Assert.Equal([a.Id, b.Id], Ids(Wake()));
    }

    [Fact]
    public void A_service_level_0_action_is_finished_the_moment_it_is_sent()
    {
        var action = Add(serviceLevel: 0);
        var decision = Wake(T0.AddMinutes(1));
        Assert.Equal([action.Id], Ids(decision));
        Assert.True(action.Finished);
        Assert.Equal(T0.AddMinutes(1), action.Status[ActionStatuses.Sent]);
        Assert.Equal(1, action.SendCount);
        Assert.Empty(Ids(Wake(T0.AddMinutes(2))));
    }

    [Fact]
    public void A_service_level_1_action_is_resent_at_every_wakeup_until_acknowledged()
    {
        var action = Add(serviceLevel: 1);
        Assert.Equal([action.Id], Ids(Wake(T0.AddMinutes(1))));
        Assert.True(action.IsInFlight);
        Assert.Equal([action.Id], Ids(Wake(T0.AddMinutes(2))));
        Assert.Equal(2, action.SendCount);
        Assert.Equal(T0.AddMinutes(1), action.Status[ActionStatuses.Sent]);

        var acked = Wake(T0.AddMinutes(3), acks: [action.Id]);
        Assert.Empty(acked.Outgoing);
        Assert.True(action.Finished);
        Assert.Equal(T0.AddMinutes(3), action.Status[ActionStatuses.Delivered]);
    }

    [Fact]
    public void A_service_level_2_action_is_finished_only_by_a_response()
    {
        var action = Add(serviceLevel: 2);
        Wake(T0.AddMinutes(1));
        var acked = Wake(T0.AddMinutes(2), acks: [action.Id]);
        Assert.False(action.Finished);
        Assert.Equal([action.Id], Ids(acked));

        var responded = Wake(T0.AddMinutes(3), responses: [new DeviceResponse(action.Id, "{\"lat\":52.1}", DeviceResponse.Success)]);
        Assert.Empty(responded.Outgoing);
        Assert.True(action.Finished);
        Assert.Equal("{\"lat\":52.1}", action.ResultJson);
        Assert.Equal(DeviceResponse.Success, action.ResultCode);
        Assert.Equal(T0.AddMinutes(3), action.Status[ActionStatuses.ResponseReceived]);
        Assert.Equal(T0.AddMinutes(2), action.Status[ActionStatuses.Delivered]);
    }

    [Fact]
    public void A_response_always_finishes_the_action_and_implies_delivery()
    {
        var action = Add(serviceLevel: 1);
        Wake(T0.AddMinutes(1));
        Wake(T0.AddMinutes(2), responses: [new DeviceResponse(action.Id, "{}", DeviceResponse.Failure)]);
        Assert.True(action.Finished);
        Assert.Equal(DeviceResponse.Failure, action.ResultCode);
        Assert.Equal(T0.AddMinutes(2), action.Status[ActionStatuses.Delivered]);
    }

    [Fact]
    public void A_late_response_to_a_finished_service_level_0_action_still_records_its_result()
    {
        var action = Add(serviceLevel: 0);
        Wake(T0.AddMinutes(1));
        var decision = Wake(T0.AddMinutes(2), responses: [new DeviceResponse(action.Id, "{\"t\":21}", DeviceResponse.Success)]);
        Assert.Empty(decision.Rejected);
        Assert.Equal("{\"t\":21}", action.ResultJson);
        Assert.Contains(new ActionChange(action, ActionStatuses.ResponseReceived), decision.Changes.Reached);
    }

    [Fact]
    public void An_in_flight_action_is_never_overridden_and_blocks_its_type()
    {
        var first = Add("getTemp", serviceLevel: 2);
        Wake(T0.AddMinutes(1));
        var second = Add("getTemp", serviceLevel: 2);

        Assert.False(first.Finished);
        Assert.False(first.Reached(ActionStatuses.Overridden));
        Assert.True(second.IsBuffered);
        Assert.Equal([first.Id], Ids(Wake(T0.AddMinutes(2))));
        Assert.True(second.IsBuffered);
    }

    [Fact]
    public void An_action_waiting_behind_an_in_flight_one_can_itself_be_overridden()
    {
        var inFlight = Add("getTemp", serviceLevel: 1);
        Wake(T0.AddMinutes(1));
        var waiting = Add("getTemp");
        var newest = NewAction("getTemp");
        buffer.Add(newest, T0.AddMinutes(2));
        Assert.True(waiting.Reached(ActionStatuses.Overridden));
        Assert.False(inFlight.Reached(ActionStatuses.Overridden));
        Assert.Equal([inFlight.Id], Ids(Wake(T0.AddMinutes(3))));
    }

    [Fact]
    public void The_waiting_action_goes_out_in_the_same_exchange_that_finishes_the_blocking_one()
    {
        var blocking = Add("getTemp", serviceLevel: 2);
        Wake(T0.AddMinutes(1));
        var waiting = Add("getTemp", serviceLevel: 2);
        var decision = Wake(T0.AddMinutes(2), responses: [new DeviceResponse(blocking.Id, "{}", DeviceResponse.Success)]);
        Assert.Equal([waiting.Id], Ids(decision));
        Assert.True(blocking.Finished);
    }

    [Fact]
    public void Cancelling_a_buffered_action_finishes_it_and_it_is_never_sent()
    {
        var action = Add();
        var changes = buffer.Cancel(action, T0.AddSeconds(30));
        Assert.True(action.Cancelled);
        Assert.True(action.Finished);
        Assert.Equal([new ActionChange(action, ActionStatuses.Cancelled)], changes.Reached);
        Assert.Empty(Ids(Wake()));
    }

    [Fact]
    public void Cancelling_an_in_flight_action_unblocks_its_type()
    {
        var blocking = Add("getTemp", serviceLevel: 2);
        Wake(T0.AddMinutes(1));
        var waiting = Add("getTemp", serviceLevel: 2);
        buffer.Cancel(blocking, T0.AddMinutes(2));
        Assert.True(blocking.Finished);
        Assert.Equal([waiting.Id], Ids(Wake(T0.AddMinutes(3))));
    }

    [Fact]
    public void Cancelling_a_finished_action_changes_nothing()
    {
        var action = Add();
        Wake();
        var statuses = new Dictionary<string, DateTime>(action.Status);
        var changes = buffer.Cancel(action, T0.AddHours(1));
        Assert.False(changes.Any);
        Assert.False(action.Cancelled);
        Assert.Equal(statuses, action.Status);
    }

    [Fact]
    public void A_buffered_action_expires_at_its_expiry_time_without_a_wakeup()
    {
        var action = Add(expiry: T0.AddMinutes(10));
        Assert.Equal(T0.AddMinutes(10), buffer.NextExpiry);
        Assert.False(buffer.ExpireDue(T0.AddMinutes(9)).Any);
        var changes = buffer.ExpireDue(T0.AddMinutes(10));
        Assert.True(action.Expired);
        Assert.True(action.Finished);
        Assert.Equal([new ActionChange(action, ActionStatuses.Expired)], changes.Reached);
        Assert.Null(buffer.NextExpiry);
    }

    [Fact]
    public void An_expired_action_is_never_sent_even_when_the_wakeup_comes_first()
    {
        var action = Add(expiry: T0.AddMinutes(10));
        var decision = Wake(T0.AddMinutes(11));
        Assert.Empty(decision.Outgoing);
        Assert.True(action.Expired);
        Assert.False(action.WasSent);
    }

    [Fact]
    public void An_action_sent_before_its_expiry_stays_unexpired_and_is_resent()
    {
        var action = Add(serviceLevel: 1, expiry: T0.AddMinutes(10));
        Wake(T0.AddMinutes(5));
        buffer.ExpireDue(T0.AddMinutes(20));
        Assert.False(action.Expired);
        Assert.Equal([action.Id], Ids(Wake(T0.AddMinutes(21))));
    }

    [Fact]
    public void Expiry_unblocks_nothing_it_did_not_hold_but_frees_the_type_for_a_new_action()
    {
        var expiring = Add("setSettings", expiry: T0.AddMinutes(10));
        buffer.ExpireDue(T0.AddMinutes(10));
        var next = NewAction("setSettings");
        var changes = buffer.Add(next, T0.AddMinutes(11));
        Assert.DoesNotContain(changes.Reached, c => c.Action == expiring);
        Assert.Equal([next.Id], Ids(Wake(T0.AddMinutes(12))));
    }

    [Fact]
    public void Repeated_acks_and_responses_change_nothing()
    {
        var action = Add(serviceLevel: 2);
        Wake(T0.AddMinutes(1));
        Wake(T0.AddMinutes(2), acks: [action.Id], responses: [new DeviceResponse(action.Id, "{\"v\":1}", DeviceResponse.Success)]);
        var statuses = new Dictionary<string, DateTime>(action.Status);

        var repeated = Wake(T0.AddMinutes(3), acks: [action.Id], responses: [new DeviceResponse(action.Id, "{\"v\":2}", DeviceResponse.Failure)]);
        Assert.Empty(repeated.Rejected);
        Assert.Empty(repeated.Changes.Reached);
        Assert.False(repeated.Changes.Any);
        Assert.Equal(statuses, action.Status);
        Assert.Equal("{\"v\":1}", action.ResultJson);
        Assert.Equal(DeviceResponse.Success, action.ResultCode);
    }

    [Fact]
    public void Unknown_and_unsent_actions_are_rejected_and_the_rest_of_the_exchange_applies()
    {
        var sent = Add("a", serviceLevel: 1);
        Wake(T0.AddMinutes(1));
        var unsent = Add("b", serviceLevel: 1, expiry: null);
        var decision = Wake(T0.AddMinutes(2), acks: [999, sent.Id], responses: [new DeviceResponse(unsent.Id, "{}", DeviceResponse.Success)]);
        Assert.Equal([new Rejection(999, "unknown action"), new Rejection(unsent.Id, "action was not sent")], decision.Rejected);
        Assert.True(sent.Finished);
        Assert.Equal([unsent.Id], Ids(decision));
    }

    [Fact]
    public void File_transfer_reports_set_their_statuses_once_on_file_actions_only()
    {
        var file = Add(ActionTypes.GetFile, serviceLevel: 2);
        var plain = Add("plain", serviceLevel: 1);
        Wake(T0.AddMinutes(1));
        var decision = Wake(T0.AddMinutes(2), files:
        [
            new FileTransferReport(file.Id, FileTransferOutcome.Started),
            new FileTransferReport(file.Id, FileTransferOutcome.Complete),
            new FileTransferReport(plain.Id, FileTransferOutcome.Started),
        ]);
        Assert.Equal(T0.AddMinutes(2), file.Status[ActionStatuses.FileTransferStarted]);
        Assert.Equal(T0.AddMinutes(2), file.Status[ActionStatuses.FileTransferComplete]);
        Assert.False(file.Finished);
        Assert.Equal([new Rejection(plain.Id, "not a file transfer action")], decision.Rejected);

        var again = Wake(T0.AddMinutes(3), files: [new FileTransferReport(file.Id, FileTransferOutcome.Started)]);
        Assert.Equal(T0.AddMinutes(2), file.Status[ActionStatuses.FileTransferStarted]);
        Assert.DoesNotContain(again.Changes.Reached, c => c.Status == ActionStatuses.FileTransferStarted);
    }

    [Fact]
    public void Actions_go_out_oldest_first()
    {
        var ids = new List<long>();
        foreach (var type in new[] { "c", "a", "b" })
        {
            ids.Add(Add(type).Id);
        }

        Assert.Equal(ids, Ids(Wake()));
    }

    [Fact]
    public void Send_count_counts_every_send_and_action_sent_keeps_the_first()
    {
        var action = Add(serviceLevel: 2);
        for (var i = 1; i <= 4; i++)
        {
            Wake(T0.AddMinutes(i));
        }

        Assert.Equal(4, action.SendCount);
        Assert.Equal(T0.AddMinutes(1), action.Status[ActionStatuses.Sent]);
    }

    [Fact]
    public void Reports_on_actions_no_longer_at_hand_apply_to_the_stored_copy()
    {
        var stored = NewAction("old", serviceLevel: 0);
        stored.Finished = true;
        stored.Status[ActionStatuses.Sent] = T0;
        var decision = Wake(T0.AddMinutes(1), acks: [stored.Id], stored: [stored]);
        Assert.Empty(decision.Rejected);
        Assert.Equal(T0.AddMinutes(1), stored.Status[ActionStatuses.Delivered]);
        Assert.Contains(stored, decision.Changes.Changed);
    }

    [Fact]
    public void Finished_sent_actions_stay_at_hand_only_up_to_the_recent_capacity()
    {
        for (var i = 0; i < ActionBuffer.RecentCapacity + 5; i++)
        {
            Add($"t{i}");
        }

        Wake();
        Assert.Empty(buffer.Pending);
        Assert.Equal(ActionBuffer.RecentCapacity, buffer.Recent.Count);
    }

    [Fact]
    public void Overridden_and_expired_actions_leave_no_trace_in_the_hot_state()
    {
        Add("x");
        Add("x");
        Add("y", expiry: T0.AddMinutes(1));
        buffer.ExpireDue(T0.AddMinutes(2));
        Assert.Single(buffer.Pending);
        Assert.Empty(buffer.Recent);
    }

    [Fact]
    public void Cancelling_everything_finishes_buffered_and_in_flight_actions()
    {
        var inFlight = Add("a", serviceLevel: 2);
        Wake();
        var buffered = Add("b");
        var changes = buffer.CancelAll(T0.AddHours(1));
        Assert.True(inFlight.Cancelled && inFlight.Finished);
        Assert.True(buffered.Cancelled && buffered.Finished);
        Assert.Equal(2, changes.Reached.Count(c => c.Status == ActionStatuses.Cancelled));
        Assert.Empty(buffer.Pending);
    }

    [Fact]
    public void Loading_two_buffered_actions_of_one_type_keeps_the_newest_and_overrides_the_older()
    {
        // What a crash between two writes of an older release could leave in the rows.
        var older = NewAction("setSettings");
        var newer = NewAction("setSettings");
        var other = NewAction("getTemp");
        var loaded = new ActionBuffer([older, newer, other], []);
        var changes = loaded.Repair(T0);

        Assert.Equal([newer.Id, other.Id], loaded.Pending.Select(a => a.Id));
        Assert.True(older.Finished);
        Assert.Equal($"{{\"overridden_by\":{newer.Id}}}", older.ResultJson);
        Assert.Equal([(older.Id, ActionStatuses.Overridden)], changes.Reached.Select(c => (c.Action.Id, c.Status)));
        Assert.False(loaded.Repair(T0).Any);
    }
}
