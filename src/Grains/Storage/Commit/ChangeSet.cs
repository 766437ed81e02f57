using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Devices;
using Embever.Actors.Events;
using Embever.Actors.Webhooks;

namespace Embever.Actors.Storage.Commit;

/// <summary>
/// One change of the platform's durable state, committed in one transaction by
/// <see cref="GroupCommit"/>: a device's new or changed rows (device, actions, updates, events,
/// the webhook deliveries they fire), or a deployment's, or any other statements. It lands
/// whole or not at all, and its caller is answered only after the commit.
/// </summary>
public sealed class ChangeSet
{
    /// <summary>
    /// Bulk work (an import's chunk, an erasure's or a sweep's round): committed in a transaction
    /// of its own, and only when no other change waits, so that devices never wait for it to merge.
    /// </summary>
    public bool Bulk { get; init; }

    /// <summary>
    /// Rows that must still exist when the change commits (the application a device is linked
    /// to, the firmware a deployment rolls out); each is locked first, so a delete that checks
    /// for references under the same lock either sees this change or makes it fail.
    /// </summary>
    public List<RowGuard> Guards { get; } = [];

    /// <summary>Devices to create; a taken id or name fails the change set (a unique violation).</summary>
    public List<DeviceRecord> NewDevices { get; } = [];

    /// <summary>Devices whose row is written again (profile, credentials, last seen).</summary>
    public List<DeviceRecord> ChangedDevices { get; } = [];

    public List<string> DeletedDevices { get; } = [];

    /// <summary>Actions to write, new or changed.</summary>
    public List<DeviceAction> Actions { get; } = [];

    /// <summary>Firmware updates to write: the mirrors of <c>_fota</c> actions.</summary>
    public List<UpdateView> Updates { get; } = [];

    public List<EventView> Events { get; } = [];

    /// <summary>Webhook deliveries fired by this change (the outbox).</summary>
    public List<OutboxEntry> Deliveries { get; } = [];

    /// <summary>What became of deliveries the dispatcher sent (or deferred).</summary>
    public List<DeliveryOutcome> DeliveryOutcomes { get; } = [];

    /// <summary>Anything else, in order, after the rows above (index rows of other grains).</summary>
    public SqlBatch Statements { get; init; } = new();

    public bool IsEmpty =>
        Guards.Count == 0 && NewDevices.Count == 0 && ChangedDevices.Count == 0 && DeletedDevices.Count == 0 && Actions.Count == 0 && Updates.Count == 0
        && Events.Count == 0 && Deliveries.Count == 0 && DeliveryOutcomes.Count == 0 && Statements.IsEmpty;

    /// <summary>The rows an action change writes: the action, and for a <c>_fota</c> its update.</summary>
    public ChangeSet AddActions(IEnumerable<DeviceAction> actions, DateTime now)
    {
        foreach (var action in actions)
        {
            Actions.Add(action);
            if (action.UpdateId is not null)
            {
                Updates.Add(UpdateView.Of(action, now));
            }
        }

        return this;
    }
}

/// <summary>A webhook delivery as the outbox stores it when it fires.</summary>
public sealed record OutboxEntry(PlannedDelivery Delivery, TimeSpan Horizon);

/// <summary>A row a change set needs: <c>Id</c> in <c>Table</c> (applications, firmwares).</summary>
public sealed record RowGuard(string Table, string Id, string Missing);

/// <summary>A row a change set needed was gone: nothing of the change set was written.</summary>
public sealed class MissingRowException(RowGuard guard) : Exception(guard.Missing)
{
    public RowGuard Guard => guard;
}
