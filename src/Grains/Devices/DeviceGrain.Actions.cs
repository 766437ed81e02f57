using Embever.Actors.Actions;
using Embever.Actors.Events;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Devices;

/// <summary>The device's actions: creating, cancelling, the exchange of a wakeup, expiry.</summary>
public sealed partial class DeviceGrain
{
    /// <summary>
    /// The longest a reminder is armed ahead: an expiry further away is reached in steps, so no
    /// stored date can overflow the reminder service or keep the grain from activating.
    /// </summary>
    private static readonly TimeSpan LongestReminderWait = TimeSpan.FromDays(30);

    public async Task<DeviceAction?> CreateAction(NewAction draft)
    {
        if (record is not { View: var view })
        {
            return null;
        }

        // Idempotent by id: a retried call returns what the first one made.
        if (Buffer.Find(draft.Id) is { } made)
        {
            return made;
        }

        var action = new DeviceAction
        {
            Id = draft.Id,
            DeviceId = view.Id,
            OrganisationId = view.OrganisationId,
            Type = draft.Type,
            PayloadJson = draft.PayloadJson,
            Webhooks = draft.Webhooks,
            ServiceLevel = draft.ServiceLevel,
            ExpiryDate = draft.ExpiryDate,
            FileId = draft.FileId,
            CreatedAt = Now(),
        };
        await CommitAsync(Buffer.Add(action, action.CreatedAt), []);
        await ArmExpiryAsync();
        return action;
    }

    public async Task<DeviceAction?> CancelAction(long actionId, string? reason = null)
    {
        if (record is null)
        {
            return null;
        }

        var action = Buffer.Find(actionId) ?? (await actionIndex.FindForDeviceAsync(Id, [actionId])).FirstOrDefault();
        if (action is null)
        {
            return null;
        }

        var changes = Buffer.Cancel(action, Now(), reason);
        if (changes.Any)
        {
            await CommitAsync(changes, []);
            await ArmExpiryAsync();
        }

        return action;
    }

    public async Task<ExchangeAnswer?> Exchange(string password, DeviceExchange exchange)
    {
        using var span = PlatformTracing.Source.StartActivity("device exchange");
        span?.SetTag("embever.device", Id);
        if (record is not { View: var view } || !keys.Hasher.Matches(password, record.PasswordHash))
        {
            LeaveIfUnknown();
            return null;
        }

        await AdoptReservedUpdateAsync();
        var now = Now();
        var buffer = Buffer;
        var unknown = exchange.Reports.ActionIds.Where(id => buffer.Find(id) is null).Distinct().ToList();
        var stored = unknown.Count > 0 ? await actionIndex.FindForDeviceAsync(Id, unknown) : [];
        var decision = buffer.Exchange(exchange.Reports, stored, now);

        var events = new List<EventView>(exchange.Events.Count);
        foreach (var incoming in exchange.Events)
        {
            events.Add(new EventView(await ids.NextAsync("events"), view.Id, view.OrganisationId, incoming.Type, incoming.PayloadJson, now));
        }

        // last_seen_at is shown exactly by the device itself; its row (lists) is rewritten at most once a minute.
        record = record with { View = view with { LastSeenAt = now } };
        var changes = new ChangeSet();
        if (now - lastSeenStoredAt >= LastSeenResolution)
        {
            changes.ChangedDevices.Add(record);
            lastSeenStoredAt = now;
        }

        if (decision.Changes.Any || events.Count > 0 || !changes.IsEmpty)
        {
            await CommitAsync(decision.Changes, events, changes);
        }

        if (decision.Changes.Any)
        {
            await ArmExpiryAsync();
        }

        return new ExchangeAnswer(
            decision.Outgoing.Select(a => new OutgoingAction(a.Id, a.Type, a.PayloadJson, a.ServiceLevel)).ToList(),
            events.Select(e => e.Id).ToList(),
            decision.Rejected);
    }

    public async Task<DownloadPermission> MayDownload(string password, string fileId)
    {
        if (record is null || !keys.Hasher.Matches(password, record.PasswordHash))
        {
            LeaveIfUnknown();
            return DownloadPermission.Unauthorized;
        }

        var atHand = pending.Concat(recent).Any(a => a.FileId == fileId);
        return atHand || await actionIndex.ReferencesFileAsync(Id, fileId) ? DownloadPermission.Allowed : DownloadPermission.NotFound;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder || record is null)
        {
            return;
        }

        var changes = Buffer.ExpireDue(Now());
        if (changes.Any)
        {
            await CommitAsync(changes, []);
        }

        armedExpiry = null;
        await ArmExpiryAsync();
    }

    /// <summary>Keeps one reminder due at the earliest expiry of a buffered action (at most <see cref="LongestReminderWait"/> ahead), or none.</summary>
    private async Task ArmExpiryAsync()
    {
        var next = Buffer.NextExpiry;
        if (next == armedExpiry)
        {
            return;
        }

        if (next is { } due)
        {
            var wait = due - time.GetUtcNow().UtcDateTime;
            wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestReminderWait ? LongestReminderWait : wait;
            await this.RegisterOrUpdateReminder(ExpiryReminder, wait, reminderOptions.Value.MinimumReminderPeriod);
        }
        else if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        armedExpiry = next;
    }
}
