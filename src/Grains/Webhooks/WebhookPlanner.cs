using Embever.Actors.Actions;
using Embever.Actors.Devices;
using Embever.Actors.Events;

namespace Embever.Actors.Webhooks;

/// <summary>
/// Which webhooks fire: an action's hooks whose <c>status</c> the action reached, a device's
/// hooks whose <c>type</c> matches a new event. Each firing is one delivery. Pure code.
/// </summary>
public static class WebhookPlanner
{
    public static List<PlannedDelivery> Plan(DeviceView device, IReadOnlyList<ActionChange> reached, IReadOnlyList<EventView> events, DateTime now)
    {
        var planned = new List<PlannedDelivery>();
        foreach (var change in reached)
        {
            var snapshot = new WebhookSnapshot(Freeze(change.Action), null, device.Name);
            foreach (var hook in change.Action.Webhooks.Where(h => h.Status == change.Status))
            {
                planned.Add(new PlannedDelivery(
                    0, device.OrganisationId, device.ApplicationId, device.Id, change.Action.Id, null, change.Status, hook.Url, hook.PayloadOnly, snapshot, now));
            }
        }

        foreach (var view in events)
        {
            var snapshot = new WebhookSnapshot(null, view, device.Name);
            foreach (var hook in device.Webhooks.Where(h => h.Type == view.Type))
            {
                planned.Add(new PlannedDelivery(
                    0, device.OrganisationId, device.ApplicationId, device.Id, null, view.Id, view.Type, hook.Url, hook.PayloadOnly, snapshot, now));
            }
        }

        return planned;
    }

    /// <summary>A copy of the action as it is now; the live one keeps changing.</summary>
    private static DeviceAction Freeze(DeviceAction action) => new()
    {
        Id = action.Id,
        DeviceId = action.DeviceId,
        OrganisationId = action.OrganisationId,
        Type = action.Type,
        PayloadJson = action.PayloadJson,
        Webhooks = action.Webhooks,
        ServiceLevel = action.ServiceLevel,
        CreatedAt = action.CreatedAt,
        ExpiryDate = action.ExpiryDate,
        FileId = action.FileId,
        Cancelled = action.Cancelled,
        Finished = action.Finished,
        Expired = action.Expired,
        ResultJson = action.ResultJson,
        ResultCode = action.ResultCode,
        Status = new Dictionary<string, DateTime>(action.Status),
        SendCount = action.SendCount,
    };
}
