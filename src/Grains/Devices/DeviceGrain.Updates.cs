using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Storage;

namespace Embever.Actors.Devices;

/// <summary>The device's part in firmware deployments.</summary>
public sealed partial class DeviceGrain
{
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

    /// <summary>Tells deployments where their updates stand (one-way: a deployment never holds up a device).</summary>
    private void ReportUpdates(ActionChanges changes)
    {
        foreach (var action in changes.Changed.Where(a => a.DeploymentId is not null))
        {
            _ = GrainFactory.GetGrain<IDeploymentGrain>(action.DeploymentId!.Value).Report(action.DeviceId, UpdateView.OutcomeOf(action));
        }
    }
}
