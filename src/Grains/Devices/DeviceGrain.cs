using Embever.Actors.Actions;
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

    private DateTime Now() => Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
}
