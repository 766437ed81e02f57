using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Events;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Telemetry;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Devices;

/// <summary>How the device grain reads and writes its rows.</summary>
public sealed partial class DeviceGrain
{
    /// <summary>Takes the device's state from its rows: at activation, and after a failed commit.</summary>
    private async Task LoadAsync()
    {
        var stored = await rows.LoadAsync(Id);
        record = stored?.Record;
        pending.Clear();
        recent.Clear();
        if (stored is not null)
        {
            pending.AddRange(stored.Unfinished);
            recent.AddRange(stored.RecentlyFinished.Where(a => a.WasSent).TakeLast(ActionBuffer.RecentCapacity));
        }

        lastSeenStoredAt = record?.View.LastSeenAt ?? default;
    }

    /// <summary>
    /// Commits what an operation changed — the actions (and their updates), new events, the webhook
    /// deliveries they fire, and whatever else <paramref name="changes"/> holds — in one
    /// transaction, then offers the deliveries to the dispatcher and tells deployments.
    /// </summary>
    private async Task CommitAsync(ActionChanges actions, IReadOnlyList<EventView> events, ChangeSet? changes = null)
    {
        changes ??= new ChangeSet();
        var now = Now();
        changes.AddActions(actions.Changed, now);
        changes.Events.AddRange(events);
        var deliveries = await webhooks.AddAsync(changes, WebhookPlanner.Plan(record!.View, actions.Reached, events, now, webhooks.PublicUrl));
        var organisation = record.View.OrganisationId;
        await CommitAsync(changes);
        Count(actions, events);
        webhooks.Offer(organisation, deliveries);
        ReportUpdates(actions);
    }

    /// <summary>Commits a change set; when it fails, what this grain holds in memory is thrown away for its rows.</summary>
    private async Task CommitAsync(ChangeSet changes)
    {
        try
        {
            await database.CommitAsync(changes);
        }
        catch
        {
            await ReloadAsync();
            throw;
        }
    }

    private async Task ReloadAsync()
    {
        try
        {
            await LoadAsync();
        }
        catch (Exception exception)
        {
            // The store is unreachable: start afresh from the rows at the next call.
            LogReloadFailed(exception);
            DeactivateOnIdle();
        }
    }

    private static void Count(ActionChanges actions, IReadOnlyList<EventView> events)
    {
        foreach (var reached in actions.Reached)
        {
            PlatformMetrics.ActionStatuses.Add(1, new KeyValuePair<string, object?>("status", reached.Status));
        }

        if (events.Count > 0)
        {
            PlatformMetrics.EventsStored.Add(events.Count);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reload the device from its rows after a failed commit; it will on its next activation")]
    private partial void LogReloadFailed(Exception exception);
}
