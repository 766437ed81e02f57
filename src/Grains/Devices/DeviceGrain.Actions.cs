using Embever.Actors.Actions;
using Embever.Actors.Events;

namespace Embever.Actors.Devices;

/// <summary>The device's actions: creating, cancelling, the exchange of a wakeup, expiry.</summary>
public sealed partial class DeviceGrain
{
    public async Task<DeviceAction?> CreateAction(NewAction draft)
    {
        if (state.State.View is not { } view)
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
        var changes = Buffer.Add(action, action.CreatedAt);
        await PersistAsync(changes, [], includeDevice: false);
        await ArmExpiryAsync();
        return action;
    }

    public async Task<DeviceAction?> CancelAction(long actionId, string? reason = null)
    {
        if (state.State.View is null)
        {
            return null;
        }

        var buffer = Buffer;
        var action = buffer.Find(actionId) ?? (await actionIndex.FindForDeviceAsync(Id, [actionId])).FirstOrDefault();
        if (action is null)
        {
            return null;
        }

        var changes = buffer.Cancel(action, Now(), reason);
        if (changes.Any)
        {
            await PersistAsync(changes, [], includeDevice: false);
            await ArmExpiryAsync();
        }

        return action;
    }

    public async Task<ExchangeAnswer?> Exchange(string password, DeviceExchange exchange)
    {
        if (state.State.View is not { } view || !keys.Hasher.Matches(password, state.State.PasswordHash))
        {
            return null;
        }

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

        state.State.View = view with { LastSeenAt = now };
        if (decision.Changes.Any || events.Count > 0 || now - state.State.LastSeenStoredAt >= LastSeenResolution)
        {
            state.State.LastSeenStoredAt = now;
            await PersistAsync(decision.Changes, events, includeDevice: true);
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
        if (state.State.View is null || !keys.Hasher.Matches(password, state.State.PasswordHash))
        {
            return DownloadPermission.Unauthorized;
        }

        var atHand = state.State.PendingActions.Concat(state.State.RecentActions).Any(a => a.FileId == fileId);
        return atHand || await actionIndex.ReferencesFileAsync(Id, fileId) ? DownloadPermission.Allowed : DownloadPermission.NotFound;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder)
        {
            return;
        }

        var changes = Buffer.ExpireDue(Now());
        if (changes.Any)
        {
            await PersistAsync(changes, [], includeDevice: false);
        }

        armedExpiry = null;
        await ArmExpiryAsync();
    }

    /// <summary>Keeps one reminder due at the earliest expiry of a buffered action, or none.</summary>
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
            await this.RegisterOrUpdateReminder(ExpiryReminder, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, reminderOptions.Value.MinimumReminderPeriod);
        }
        else if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        armedExpiry = next;
    }
}
