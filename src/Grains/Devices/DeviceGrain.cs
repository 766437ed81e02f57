using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Devices;

public sealed class DeviceGrain(
    [PersistentState("device", StorageNames.Platform)] IPersistentState<DeviceState> state,
    DeviceIndex index) : Grain, IDeviceGrain
{
    public Task<DeviceView?> Get() => Task.FromResult(state.State.View);

    public async Task<DeviceWriteResult> Create(DeviceDraft draft)
    {
        if (state.State.View is not null)
        {
            return DeviceWriteResult.Failed(DeviceWriteError.IdTaken);
        }

        var view = new DeviceView(
            this.GetPrimaryKeyString(), draft.OrganisationId, draft.ApplicationId, draft.Name, draft.Activated, "other",
            draft.Webhooks, Timestamps.Truncate(DateTime.UtcNow), null);

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
        await state.WriteStateAsync();
        return new DeviceWriteResult(updated, DeviceWriteError.None);
    }

    public async Task<bool> Delete()
    {
        if (state.State.View is not { } view)
        {
            return false;
        }

        await index.DeleteAsync(view.Id);
        await state.ClearStateAsync();
        state.State = new DeviceState();
        DeactivateOnIdle();
        return true;
    }
}
