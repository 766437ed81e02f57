using System.Text.Json;
using Embever.Actors.Actions;
using Embever.Actors.Events;
using Embever.Actors.Platform;

namespace Embever.Actors.Webhooks;

/// <summary>
/// A webhook's POST body, rendered once when it fires and stored with the delivery: the
/// resource exactly as the API shows it (URLs under the configured public URL), or with
/// <c>payload_only</c> just the action's result or the event's payload.
/// </summary>
public static class WebhookBody
{
    private static readonly JsonSerializerOptions Json = ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static string Of(string publicUrl, DeviceAction action, string? deviceName, bool payloadOnly) =>
        payloadOnly ? action.ResultJson ?? "null" : JsonSerializer.Serialize(ActionResource.From(publicUrl, action, deviceName), Json);

    public static string Of(string publicUrl, EventView view, bool payloadOnly) =>
        payloadOnly ? view.PayloadJson : JsonSerializer.Serialize(EventResource.From(publicUrl, view), Json);
}
