using System.Text.Json;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;

namespace Embever.Actors.Api.Devices;

/// <summary>Reads a device's <c>webhooks</c>: an array of <c>{type, url, payload_only}</c>.</summary>
public static class EventWebhookFields
{
    public const int MaxWebhooks = 100;

    public static IReadOnlyList<EventWebhook>? Read(JsonFields fields, string name = "webhooks")
    {
        if (!fields.Body.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            fields.Error(name, "Must be an array of {type, url, payload_only} objects.");
            return null;
        }

        if (value.GetArrayLength() > MaxWebhooks)
        {
            fields.Error(name, $"At most {MaxWebhooks} webhooks.");
            return null;
        }

        var webhooks = new List<EventWebhook>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var prefix = $"{name}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Error(prefix, "Must be an object {type, url, payload_only}.");
                continue;
            }

            var hook = new JsonFields(item).Allow("type", "url", "payload_only");
            var type = hook.String("type", required: true);
            var url = hook.String("url", required: true, maxLength: WebhookUrls.MaxLength);
            var payloadOnly = hook.Bool("payload_only") ?? false;
            if (url is not null && WebhookUrls.Problem(url) is { } urlProblem)
            {
                hook.Error("url", urlProblem);
            }

            if (!hook.IsValid)
            {
                foreach (var (field, messages) in hook.Errors)
                {
                    foreach (var message in messages)
                    {
                        fields.Error($"{prefix}.{field}", message);
                    }
                }

                continue;
            }

            webhooks.Add(new EventWebhook(type!, url!, payloadOnly));
        }

        return webhooks;
    }
}
