using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Deployments.Rollouts;
using Embever.Actors.Devices;
using Embever.Actors.Events;

namespace Embever.Actors.Webhooks;

/// <summary>
/// Which webhooks fire: an action's hooks whose <c>status</c> the action reached, a device's
/// hooks whose <c>type</c> matches a new event, a deployment's hooks whose <c>status</c> it
/// told. Each firing is one delivery, its body rendered
/// now (the action keeps changing; the webhook carries it as it was). Pure code.
/// </summary>
public static class WebhookPlanner
{
    public static List<PlannedDelivery> Plan(DeviceView device, IReadOnlyList<ActionChange> reached, IReadOnlyList<EventView> events, DateTime now, string publicUrl)
    {
        var planned = new List<PlannedDelivery>();
        foreach (var change in reached)
        {
            var body = RenderedOnce(payloadOnly => WebhookBody.Of(publicUrl, change.Action, device.Name, payloadOnly));
            foreach (var hook in change.Action.Webhooks.Where(h => h.Status == change.Status))
            {
                planned.Add(new PlannedDelivery(
                    0, device.OrganisationId, device.ApplicationId, device.Id, change.Action.Id, null, change.Status, hook.Url, hook.PayloadOnly, body(hook.PayloadOnly), now));
            }
        }

        foreach (var view in events)
        {
            var body = RenderedOnce(payloadOnly => WebhookBody.Of(publicUrl, view, payloadOnly));
            foreach (var hook in device.Webhooks.Where(h => h.Type == view.Type))
            {
                planned.Add(new PlannedDelivery(
                    0, device.OrganisationId, device.ApplicationId, device.Id, null, view.Id, view.Type, hook.Url, hook.PayloadOnly, body(hook.PayloadOnly), now));
            }
        }

        return planned;
    }

    public static List<PlannedDelivery> Plan(DeploymentView deployment, IReadOnlyList<RolloutEvent> told, DateTime now, string publicUrl)
    {
        var planned = new List<PlannedDelivery>();
        foreach (var happened in told)
        {
            string? body = null;
            foreach (var hook in (deployment.Webhooks ?? []).Where(h => h.Status == happened.Kind))
            {
                body ??= WebhookBody.Of(publicUrl, deployment, happened, now);
                planned.Add(new PlannedDelivery(
                    0, deployment.OrganisationId, null, null, null, null, happened.Kind, hook.Url, false, body, now, deployment.Id));
            }
        }

        return planned;
    }

    /// <summary>A body renders at most once in each form, however many hooks carry it.</summary>
    private static Func<bool, string> RenderedOnce(Func<bool, string> render)
    {
        string? full = null;
        string? payloadOnly = null;
        return only => only ? payloadOnly ??= render(true) : full ??= render(false);
    }
}
