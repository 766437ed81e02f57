using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Events;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Embever.Actors.Devices;

public sealed partial class DeviceGrain(
    [PersistentState("device", StorageNames.Platform)] IPersistentState<DeviceState> state,
    DeviceIndex index,
    ActionIndex actionIndex,
    IdBlockAllocator ids,
    PlatformKeys keys,
    Database database,
    TimeProvider time,
    IOptions<ReminderOptions> reminderOptions,
    IOptions<WebhookOptions> webhookOptions,
    ILogger<DeviceGrain> logger) : Grain, IDeviceGrain, IRemindable
{
    private const string ExpiryReminder = "expiry";
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);
    private DateTime? armedExpiry;

    private ActionBuffer Buffer => new(state.State.PendingActions, state.State.RecentActions);

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A bulk-imported device has a row but no grain state yet: adopt the row on first activation.
        if (state.State.View is null && await index.FindImportedAsync(Id) is var (imported, hash))
        {
            state.State.View = imported;
            state.State.PasswordHash = hash;
            await state.WriteStateAsync();
        }

        // Reminders survive restarts on their own; this also covers one lost between a write and its registration.
        if (Buffer.NextExpiry is not null)
        {
            await ArmExpiryAsync();
        }
    }

    public Task<DeviceView?> Get() => Task.FromResult(state.State.View);

    public async Task<DeviceWriteResult> Create(DeviceDraft draft)
    {
        if (state.State.View is { } existing)
        {
            // The same create again (a retried call) succeeds again; anything else needs another id.
            return existing.Name == draft.Name && state.State.PasswordHash.AsSpan().SequenceEqual(draft.PasswordHash)
                ? new DeviceWriteResult(existing, DeviceWriteError.None)
                : DeviceWriteResult.Failed(DeviceWriteError.IdTaken);
        }

        var view = new DeviceView(Id, draft.OrganisationId, draft.ApplicationId, draft.Name, draft.Activated, "other", draft.Webhooks, Now(), null);

        // The index row claims the id and the name (unique per organisation) first.
        var claim = await index.InsertAsync(view);
        if (claim != DeviceWriteError.None)
        {
            return DeviceWriteResult.Failed(claim);
        }

        state.State.View = view;
        state.State.PasswordHash = draft.PasswordHash;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = new DeviceState();
            await index.DeleteAsync(view.Id);
            throw;
        }

        return new DeviceWriteResult(view, DeviceWriteError.None);
    }

    public async Task<DeviceWriteResult> Update(DevicePatch patch)
    {
        if (state.State.View is not { } current)
        {
            return DeviceWriteResult.Failed(DeviceWriteError.NotFound);
        }

        var updated = current with
        {
            Name = patch.Name ?? current.Name,
            ApplicationId = patch.ApplicationGiven ? patch.ApplicationId : current.ApplicationId,
            Activated = patch.Activated ?? current.Activated,
            Webhooks = patch.Webhooks ?? current.Webhooks,
        };

        var outcome = await index.UpdateAsync(updated);
        if (outcome != DeviceWriteError.None)
        {
            return DeviceWriteResult.Failed(outcome);
        }

        state.State.View = updated;
        await WriteStateAsync();
        return new DeviceWriteResult(updated, DeviceWriteError.None);
    }

    public async Task<bool> Delete()
    {
        if (state.State.View is not { } view)
        {
            return false;
        }

        var changes = Buffer.CancelAll(Now());
        var (batch, deliveries) = await PrepareWriteAsync(changes, [], includeDevice: false);
        batch.Add("DELETE FROM devices WHERE id = {0}", view.Id);
        await batch.ExecuteAsync(database);
        await PublishAsync(view.OrganisationId, deliveries);
        ReportUpdates(changes);
        await ArmExpiryAsync();
        await state.ClearStateAsync();
        state.State = new DeviceState();
        DeactivateOnIdle();
        return true;
    }

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

    public async Task<UpdateStartResult> StartUpdate(UpdateStart update)
    {
        if (state.State.View is not { } view)
        {
            return UpdateStartResult.NotFound;
        }

        // One unfinished update per device: the grain is the one place that can decide it.
        if (state.State.PendingActions.Any(a => a.UpdateId is not null))
        {
            return state.State.PendingActions.Any(a => a.UpdateId == update.UpdateId) ? UpdateStartResult.Started : UpdateStartResult.Busy;
        }

        var action = new DeviceAction
        {
            Id = update.ActionId,
            DeviceId = view.Id,
            OrganisationId = view.OrganisationId,
            Type = ActionTypes.Fota,
            PayloadJson = update.PayloadJson,
            ServiceLevel = 2,
            FileId = update.FileId,
            UpdateId = update.UpdateId,
            DeploymentId = update.DeploymentId,
            CreatedAt = Now(),
        };
        await PersistAsync(Buffer.Add(action, action.CreatedAt), [], includeDevice: false);
        return UpdateStartResult.Started;
    }

    public async Task AbortUpdate(long updateId)
    {
        var buffer = Buffer;
        if (buffer.Pending.FirstOrDefault(a => a.UpdateId == updateId) is not { } action)
        {
            return;
        }

        if (buffer.Withdraw(action))
        {
            var batch = new SqlBatch()
                .Add("DELETE FROM actions WHERE id = {0}", action.Id)
                .Add("DELETE FROM updates WHERE id = {0}", updateId);
            await batch.ExecuteAsync(database);
            await WriteStateAsync();
        }
        else
        {
            await CancelAction(action.Id, DeploymentGrain.CancelReason);
        }
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

    /// <summary>
    /// Writes the changed action rows, new events, the device row and the webhook deliveries they
    /// fire in one transaction, then the grain state, then offers the deliveries to the dispatcher.
    /// Rows first: if the state write fails, the next write heals the rows, and the grain reloads
    /// its state from storage rather than keep what it could not store.
    /// </summary>
    private async Task PersistAsync(ActionChanges changes, IReadOnlyList<EventView> events, bool includeDevice)
    {
        var (batch, deliveries) = await PrepareWriteAsync(changes, events, includeDevice);
        try
        {
            await batch.ExecuteAsync(database);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        await WriteStateAsync();
        await PublishAsync(state.State.View!.OrganisationId, deliveries);
        ReportUpdates(changes);
    }

    /// <summary>Tells deployments where their updates stand (one-way: a deployment never holds up a device).</summary>
    private void ReportUpdates(ActionChanges changes)
    {
        foreach (var action in changes.Changed.Where(a => a.DeploymentId is not null))
        {
            _ = GrainFactory.GetGrain<IDeploymentGrain>(action.DeploymentId!.Value).Report(action.DeviceId, UpdateView.OutcomeOf(action));
        }
    }

    private async Task<(SqlBatch Batch, List<PlannedDelivery> Deliveries)> PrepareWriteAsync(ActionChanges changes, IReadOnlyList<EventView> events, bool includeDevice)
    {
        var batch = new SqlBatch();
        foreach (var action in changes.Changed)
        {
            ActionIndex.Upsert(batch, action);
            if (action.UpdateId is not null)
            {
                UpdateIndex.Upsert(batch, UpdateView.Of(action, Now()));
            }
        }

        foreach (var view in events)
        {
            EventIndex.Insert(batch, view);
        }

        var device = state.State.View!;
        if (includeDevice)
        {
            DeviceIndex.Update(batch, device);
        }

        var deliveries = WebhookPlanner.Plan(device, changes.Reached, events, Now());
        for (var i = 0; i < deliveries.Count; i++)
        {
            deliveries[i] = deliveries[i] with { Id = await ids.NextAsync("webhook_deliveries") };
            WebhookOutbox.Insert(batch, deliveries[i], webhookOptions.Value.Horizon);
        }

        return (batch, deliveries);
    }

    /// <summary>Offers committed deliveries to the organisation's dispatcher; a lost offer is picked up by the sweeper.</summary>
    private async Task PublishAsync(Guid organisationId, List<PlannedDelivery> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        try
        {
            var stream = WebhookStreams.For(this.GetStreamProvider(WebhookStreams.Provider), organisationId);
            await stream.OnNextAsync(new WebhookDue(deliveries.Select(d => d.Id).ToList()));
        }
        catch (Exception exception)
        {
            LogPublishFailed(exception, deliveries.Count);
        }
    }

    private async Task WriteStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not offer {Count} webhook deliveries to the dispatcher; the sweeper will")]
    private partial void LogPublishFailed(Exception exception, int count);

    private DateTime Now() => Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
}
