using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Events;
using Embever.Actors.Storage;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Devices;

/// <summary>How the device grain writes: rows, state, webhook offers, in that order.</summary>
public sealed partial class DeviceGrain
{
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not offer {Count} webhook deliveries to the dispatcher; the sweeper will")]
    private partial void LogPublishFailed(Exception exception, int count);
}
