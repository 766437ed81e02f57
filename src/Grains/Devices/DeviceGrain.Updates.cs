using Embever.Actors.Actions;
using Embever.Actors.Deployments;

namespace Embever.Actors.Devices;

/// <summary>
/// The device's part in firmware deployments. A deployment reserves an update on each device,
/// commits every device's <c>_fota</c> action and update in one transaction with the deployment
/// itself (all or nothing), then confirms, and each device adds its action to its buffer.
/// </summary>
public sealed partial class DeviceGrain
{
    /// <summary>How long a reservation holds without its deployment confirming or releasing it.</summary>
    private static readonly TimeSpan ReservationTime = TimeSpan.FromMinutes(2);

    private Reservation? reservation;

    public Task<UpdateReservation> ReserveUpdate(UpdateStart update)
    {
        if (record is not { View: var view })
        {
            return Task.FromResult(new UpdateReservation(UpdateStartResult.NotFound, null));
        }

        // One unfinished update per device: the grain is the one place that can decide it.
        if (pending.Find(a => a.UpdateId is not null) is { } unfinished)
        {
            return Task.FromResult(new UpdateReservation(unfinished.UpdateId == update.UpdateId ? UpdateStartResult.Started : UpdateStartResult.Busy, null));
        }

        var now = Now();
        if (reservation is { } held && held.Action.UpdateId != update.UpdateId && held.Until > now)
        {
            return Task.FromResult(new UpdateReservation(UpdateStartResult.Busy, null));
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
            CreatedAt = now,
            Held = update.Held,
        };
        reservation = new Reservation(action, now + ReservationTime);

        // A reservation lives in memory only: the grain stays while it holds one.
        DelayDeactivation(ReservationTime);
        return Task.FromResult(new UpdateReservation(UpdateStartResult.Started, action));
    }

    public Task ConfirmUpdate(long updateId)
    {
        if (reservation is { } held && held.Action.UpdateId == updateId)
        {
            reservation = null;
            if (Buffer.Find(held.Action.Id) is null)
            {
                pending.Add(held.Action);
            }
        }

        return Task.CompletedTask;
    }

    public Task ReleaseUpdate(long updateId)
    {
        if (reservation is { } held && held.Action.UpdateId == updateId)
        {
            reservation = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>A staged rollout's turn came for this device: its held _fota action goes out at the next wakeup.</summary>
    public async Task ReleaseHeldUpdate(long actionId, DateTime releasedAt)
    {
        if (Buffer.Find(actionId) is { Held: true, Finished: false } action)
        {
            action.Held = false;
            action.ReleasedAt = releasedAt;
            var changes = new ActionChanges();
            changes.Touch(action);
            await CommitAsync(changes, []);
        }
    }

    /// <summary>An aborted rollout takes back an update the device has not received; one it has goes on.</summary>
    public async Task WithdrawUpdate(long actionId, string reason)
    {
        if (Buffer.Find(actionId) is { WasSent: false, Finished: false } action)
        {
            await CommitAsync(Buffer.Cancel(action, Now(), reason), []);
            await ArmExpiryAsync();
        }
    }

    /// <summary>
    /// A reserved update whose deployment committed but never confirmed (its silo died) is in the
    /// rows: take it from there. One that was never committed lapses.
    /// </summary>
    private async Task AdoptReservedUpdateAsync()
    {
        if (reservation is not { } held)
        {
            return;
        }

        var stored = (await actionIndex.FindForDeviceAsync(Id, [held.Action.Id])).FirstOrDefault();
        if (stored is not null || held.Until <= Now())
        {
            reservation = null;
        }

        if (stored is { Finished: false } && Buffer.Find(stored.Id) is null)
        {
            pending.Add(stored);
        }
    }

    private sealed record Reservation(DeviceAction Action, DateTime Until);
}
