using Embever.Actors.Actions;
using Embever.Actors.Devices;
using Embever.Actors.Events;

namespace Embever.Actors.Webhooks;

/// <summary>
/// Which webhooks fire: an action's hooks whose <c>status</c> the action reached, a device's
/// hooks whose <c>type</c> matches a new event. Each firing is one delivery, its body rendered
/// now (the action keeps changing; the webhook carries it as it was). Pure code.
/// </summary>
public static class WebhookPlanner
{
    public static List<PlannedDelivery> Plan(DeviceView device, IReadOnlyList<ActionChange> reached, IReadOnlyList<EventView> events, DateTime now, string publicUrl)
    {
        var planned = new List<PlannedDelivery>();
        foreach (var change in reached)
        {
            foreach (var hook in change.Action.Webhooks.Where(h => h.Status == change.Status))
            {
                var body = WebhookBody.Of(publicUrl, change.Action, device.Name, hook.PayloadOnly);
                planned.Add(new PlannedDelivery(
                    0, device.OrganisationId, device.ApplicationId, device.Id, change.Action.Id, null, change.Status, hook.Url, hook.PayloadOnly, body, now));
            }
        }

        foreach (var view in events)
        {
            foreach (var hook in device.Webhooks.Where(h => h.Type == view.Type))
            {
                planned.Add(new PlannedDelivery(
                    0, device.OrganisationId, device.ApplicationId, device.Id, null, view.Id, view.Type, hook.Url, hook.PayloadOnly, WebhookBody.Of(publicUrl, view, hook.PayloadOnly), now));
            }
        }

        return planned;
    }
}
