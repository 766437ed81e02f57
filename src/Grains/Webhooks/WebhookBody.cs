using System.Text.Json;
using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Deployments.Rollouts;
using Embever.Actors.Events;
using Embever.Actors.Platform;

namespace Embever.Actors.Webhooks;

/// <summary>
/// A webhook's POST body, rendered once when it fires and stored with the delivery: the
/// resource exactly as the API shows it (URLs under the configured public URL), or with
/// <c>payload_only</c> just the action's result or the event's payload. A deployment's carries
/// what happened and the deployment as it stood (<see cref="DeploymentWebhookBody"/>).
/// </summary>
public static class WebhookBody
{
    private static readonly JsonSerializerOptions Json = ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static string Of(string publicUrl, DeviceAction action, string? deviceName, bool payloadOnly) =>
        payloadOnly ? action.ResultJson ?? "null" : JsonSerializer.Serialize(ActionResource.From(publicUrl, action, deviceName), Json);

    public static string Of(string publicUrl, EventView view, bool payloadOnly) =>
        payloadOnly ? view.PayloadJson : JsonSerializer.Serialize(EventResource.From(publicUrl, view), Json);

    public static string Of(string publicUrl, DeploymentView view, RolloutEvent told, DateTime at) =>
        JsonSerializer.Serialize(new DeploymentWebhookBody(told.Kind, told.Group, at, DeploymentResource.From(publicUrl, view)), Json);
}
