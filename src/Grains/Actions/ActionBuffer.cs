namespace Embever.Actors.Actions;

/// <summary>
/// The action state machine of one device (CONTRACT.md, "Actions: the state machine"), pure code.
/// It holds the device's unfinished actions — at most one buffered and one in flight per type —
/// and a short list of recently finished sent actions, for the late acks, responses and file
/// reports devices send. Every operation returns what it changed, for storage and webhooks.
/// </summary>
public sealed class ActionBuffer(List<DeviceAction> pending, List<DeviceAction> recent)
{
    /// <summary>How many finished, sent actions stay at hand for late reports; older ones are looked up in storage.</summary>
    public const int RecentCapacity = 16;

    public IReadOnlyList<DeviceAction> Pending => pending;

    public IReadOnlyList<DeviceAction> Recent => recent;

    /// <summary>The earliest expiry among buffered actions: when <see cref="ExpireDue"/> next has work.</summary>
    public DateTime? NextExpiry => pending.Where(a => a.IsBuffered && a.ExpiryDate is not null).Min(a => a.ExpiryDate);

    public DeviceAction? Find(long id) => pending.Find(a => a.Id == id) ?? recent.Find(a => a.Id == id);

    /// <summary>Adds a new action; a buffered action of the same type is overridden by it.</summary>
    public ActionChanges Add(DeviceAction action, DateTime now)
    {
        var changes = new ActionChanges();
        if (pending.Find(a => a.Type == action.Type && a.IsBuffered) is { } older)
        {
            older.ResultJson = $"{{\"overridden_by\":{action.Id}}}";
            Finish(older);
            changes.Reach(older, ActionStatuses.Overridden, now);
        }

        pending.Add(action);
        changes.Touch(action);
        return changes;
    }

    /// <summary>
    /// Cancels a buffered or in-flight action, which unblocks its type; a finished action stays as
    /// it is. A <paramref name="reason"/> becomes the action's result, as a failure.
    /// </summary>
    public ActionChanges Cancel(DeviceAction action, DateTime now, string? reason = null)
    {
        var changes = new ActionChanges();
        if (!action.Finished)
        {
            action.Cancelled = true;
            if (reason is not null)
            {
                action.ResultJson = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = reason });
                action.ResultCode = DeviceResponse.Failure;
            }

            Finish(action);
            changes.Reach(action, ActionStatuses.Cancelled, now);
        }

        return changes;
    }

    /// <summary>
    /// Restores "one buffered action per type" over actions loaded from storage (a crash under an
    /// older release could leave two): the newest stays buffered and overrides the older ones.
    /// </summary>
    public ActionChanges Repair(DateTime now)
    {
        var changes = new ActionChanges();
        var duplicated = pending.Where(a => a.IsBuffered).GroupBy(a => a.Type).Where(g => g.Count() > 1).ToList();
        foreach (var group in duplicated)
        {
            var newest = group.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Last();
            foreach (var older in group.Where(a => a != newest))
            {
                older.ResultJson = $"{{\"overridden_by\":{newest.Id}}}";
                Finish(older);
                changes.Reach(older, ActionStatuses.Overridden, now);
            }
        }

        return changes;
    }

    /// <summary>Cancels every unfinished action (the device is going away).</summary>
    public ActionChanges CancelAll(DateTime now)
    {
        var changes = new ActionChanges();
        foreach (var action in pending.ToList())
        {
            action.Cancelled = true;
            Finish(action);
            changes.Reach(action, ActionStatuses.Cancelled, now);
        }

        return changes;
    }

    /// <summary>Finishes every buffered action whose expiry has come: it is never sent.</summary>
    public ActionChanges ExpireDue(DateTime now, ActionChanges? changes = null)
    {
        changes ??= new ActionChanges();
        foreach (var action in pending.Where(a => a.IsBuffered && a.ExpiryDate <= now).ToList())
        {
            action.Expired = true;
            Finish(action);
            changes.Reach(action, ActionStatuses.Expired, now);
        }

        return changes;
    }

    /// <summary>
    /// One wakeup: apply the device's acks, responses and file reports, expire what is due,
    /// then choose what to send. <paramref name="stored"/> are this device's finished actions
    /// loaded from storage for reports that name actions no longer at hand.
    /// </summary>
    public ExchangeDecision Exchange(ActionReports reports, IReadOnlyList<DeviceAction> stored, DateTime now)
    {
        var changes = new ActionChanges();
        var rejected = new List<Rejection>();
        DeviceAction? Resolve(long id) => Find(id) ?? stored.FirstOrDefault(a => a.Id == id);

        foreach (var id in reports.Acks)
        {
            if (Sent(Resolve(id), id, rejected) is { } action && !action.Reached(ActionStatuses.Delivered))
            {
                Deliver(action, changes, now);
            }
        }

        foreach (var response in reports.Responses)
        {
            if (Sent(Resolve(response.Action), response.Action, rejected) is { } action && !action.Reached(ActionStatuses.ResponseReceived))
            {
                // A response implies delivery, and always finishes the action.
                if (!action.Reached(ActionStatuses.Delivered))
                {
                    Deliver(action, changes, now);
                }

                action.ResultJson = response.ResultJson;
                action.ResultCode = response.ResultCode;
                FinishIfOpen(action);
                changes.Reach(action, ActionStatuses.ResponseReceived, now);
            }
        }

        foreach (var report in reports.FileTransfers)
        {
            var action = Resolve(report.Action);
            if (action is not null && !ActionTypes.TransfersFile(action.Type))
            {
                rejected.Add(new Rejection(report.Action, "not a file transfer action"));
            }
            else if (Sent(action, report.Action, rejected) is { } sent && !sent.Reached(report.Status))
            {
                changes.Reach(sent, report.Status, now);
            }
        }

        ExpireDue(now, changes);
        return new ExchangeDecision(SendDue(changes, now), rejected, changes);
    }

    /// <summary>Per type, the in-flight action again, or else the buffered one; oldest first. Held actions wait for their release.</summary>
    private List<DeviceAction> SendDue(ActionChanges changes, DateTime now)
    {
        var outgoing = pending
            .Where(a => !a.Held)
            .GroupBy(a => a.Type)
            .Select(group => group.FirstOrDefault(a => a.IsInFlight) ?? group.First())
            .OrderBy(a => a.CreatedAt)
            .ThenBy(a => a.Id)
            .ToList();
        foreach (var action in outgoing)
        {
            action.SendCount++;
            if (!action.WasSent)
            {
                changes.Reach(action, ActionStatuses.Sent, now);
            }
            else
            {
                changes.Touch(action);
            }

            if (action.ServiceLevel == 0)
            {
                Finish(action);
            }
        }

        return outgoing;
    }

    private void Deliver(DeviceAction action, ActionChanges changes, DateTime now)
    {
        if (action.ServiceLevel <= 1)
        {
            FinishIfOpen(action);
        }

        changes.Reach(action, ActionStatuses.Delivered, now);
    }

    private static DeviceAction? Sent(DeviceAction? action, long id, List<Rejection> rejected)
    {
        if (action is null)
        {
            rejected.Add(new Rejection(id, "unknown action"));
            return null;
        }

        if (!action.WasSent)
        {
            rejected.Add(new Rejection(id, "action was not sent"));
            return null;
        }

        return action;
    }

    private void FinishIfOpen(DeviceAction action)
    {
        if (!action.Finished)
        {
            Finish(action);
        }
    }

    /// <summary>Leaves the unfinished set; a sent action stays at hand a while for late reports.</summary>
    private void Finish(DeviceAction action)
    {
        action.Finished = true;
        if (pending.Remove(action) && action.WasSent)
        {
            recent.Add(action);
            if (recent.Count > RecentCapacity)
            {
                recent.RemoveAt(0);
            }
        }
    }
}
