using Embever.Actors.Actions;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Telemetry;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Embever.Actors.Devices;

/// <summary>
/// One device. Its rows are its only durable state: it loads them when it activates, keeps its
/// action buffer in memory, and commits every change as one change set (group-committed)
/// before it answers. A commit that fails makes it reload from its rows.
/// </summary>
public sealed partial class DeviceGrain(
    DeviceRows rows,
    DeviceIndex index,
    DeviceDirectory directory,
    ActionIndex actionIndex,
    IdBlockAllocator ids,
    PlatformKeys keys,
    Database database,
    TimeProvider time,
    IOptions<ReminderOptions> reminderOptions,
    FiredWebhooks webhooks,
    ILogger<DeviceGrain> logger) : Grain, IDeviceGrain, IRemindable
{
    private const string ExpiryReminder = "expiry";
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    /// <summary>The device's row; null while the device does not exist.</summary>
    private DeviceRecord? record;

    /// <summary>Buffered and in-flight actions.</summary>
    private readonly List<DeviceAction> pending = [];

    /// <summary>Finished actions that were sent, kept a while for late acks, responses and file reports.</summary>
    private readonly List<DeviceAction> recent = [];

    /// <summary>When <c>last_seen_at</c> was last written; plain wakeups write it at most once a minute.</summary>
    private DateTime lastSeenStoredAt;

    private DateTime? armedExpiry;

    private ActionBuffer Buffer => new(pending, recent);

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        PlatformMetrics.DevicesActive.Add(1);
        await LoadAsync();
        if (record is not null && Buffer.Repair(Now()) is { Any: true } repaired)
        {
            await CommitAsync(repaired, []);
        }

        // Reminders survive restarts on their own; this also covers one lost between a commit and its registration.
        if (Buffer.NextExpiry is not null)
        {
            await ArmExpiryAsync();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        PlatformMetrics.DevicesActive.Add(-1);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task<DeviceView?> Get() => Task.FromResult(record?.View);

    public async Task<DeviceWriteResult> Create(DeviceDraft draft)
    {
        if (record is { } existing)
        {
            // The same create again (a retried call) succeeds again; anything else needs another id.
            return existing.View.Name == draft.Name && existing.PasswordHash.AsSpan().SequenceEqual(draft.PasswordHash)
                ? new DeviceWriteResult(existing.View, DeviceWriteError.None)
                : DeviceWriteResult.Failed(DeviceWriteError.IdTaken);
        }

        var created = new DeviceRecord(
            new DeviceView(Id, draft.OrganisationId, draft.ApplicationId, draft.Name, draft.Activated, "other", draft.Webhooks, Now(), null),
            draft.PasswordHash,
            draft.SealedPassword);
        var changes = new ChangeSet();
        changes.NewDevices.Add(created);
        GuardApplication(changes, draft.ApplicationId);
        record = created;
        lastSeenStoredAt = default;
        try
        {
            await CommitAsync(changes);
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            return DeviceWriteResult.Failed(await index.ExistsAsync(Id) ? DeviceWriteError.IdTaken : DeviceWriteError.NameTaken);
        }
        catch (MissingRowException)
        {
            return DeviceWriteResult.Failed(DeviceWriteError.ApplicationGone);
        }

        return new DeviceWriteResult(created.View, DeviceWriteError.None);
    }

    public async Task<DeviceWriteResult> Update(DevicePatch patch)
    {
        if (record is not { View: var current })
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
        record = record with { View = updated };
        var changes = new ChangeSet();
        changes.ChangedDevices.Add(record);
        if (updated.ApplicationId != current.ApplicationId)
        {
            GuardApplication(changes, updated.ApplicationId);
        }

        try
        {
            await CommitAsync(changes);
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            return DeviceWriteResult.Failed(DeviceWriteError.NameTaken);
        }
        catch (MissingRowException)
        {
            return DeviceWriteResult.Failed(DeviceWriteError.ApplicationGone);
        }

        return new DeviceWriteResult(updated, DeviceWriteError.None);
    }

    public async Task<bool> Delete()
    {
        if (record is not { View: var view })
        {
            return false;
        }

        var changes = new ChangeSet();
        changes.DeletedDevices.Add(view.Id);

        // What the device left is erased in the background (DeviceEraser), from this row on.
        changes.Statements.Add(
            "INSERT INTO device_erasures (device_id, organisation_id, requested_at) VALUES ({0}, {1}, {2}) ON CONFLICT (device_id) DO NOTHING",
            view.Id, view.OrganisationId.ToString(), Timestamps.ToMicroseconds(Now()));
        await CommitAsync(Buffer.CancelAll(Now()), [], changes);
        record = null;
        reservation = null;
        directory.Forget(view.Id);
        await ArmExpiryAsync();
        DeactivateOnIdle();
        return true;
    }

    /// <summary>Linking to an application: the link commits only if the application still exists (its delete checks for links under the same lock).</summary>
    private static void GuardApplication(ChangeSet changes, Guid? applicationId)
    {
        if (applicationId is { } application)
        {
            changes.Guards.Add(new RowGuard("applications", application.ToString(), "The application was deleted."));
        }
    }

    /// <summary>A grain without a device (asked by a caller with a made-up or deleted id) does not stay in memory.</summary>
    private void LeaveIfUnknown()
    {
        if (record is null)
        {
            DeactivateOnIdle();
        }
    }

    private DateTime Now() => Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
}
