using System.Text;
using System.Text.Json;
using Embever.Actors.Api.Actions;
using Embever.Actors.Api.Events;
using Embever.Actors.Api.Http;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Webhooks;

/// <summary>
/// Webhook bodies are the resources exactly as the API shows them (URLs under the configured
/// public URL), or with <c>payload_only</c> just the event's payload or the action's result.
/// </summary>
public sealed class WebhookBodyRenderer(IOptions<WebhookOptions> options) : IWebhookBodyRenderer
{
    private static readonly JsonSerializerOptions Json = ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public byte[] Render(WebhookSnapshot snapshot, bool payloadOnly)
    {
        var baseUrl = options.Value.PublicUrl;
        if (snapshot.Action is { } action)
        {
            return payloadOnly
                ? Encoding.UTF8.GetBytes(action.ResultJson ?? "null")
                : JsonSerializer.SerializeToUtf8Bytes(ActionResource.From(baseUrl, action, snapshot.DeviceName), Json);
        }

        var view = snapshot.Event ?? throw new InvalidOperationException("A webhook snapshot carries an action or an event.");
        return payloadOnly
            ? Encoding.UTF8.GetBytes(view.PayloadJson)
            : JsonSerializer.SerializeToUtf8Bytes(EventResource.From(baseUrl, view), Json);
    }
}
