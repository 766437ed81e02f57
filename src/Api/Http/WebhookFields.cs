using System.Text.Json;

namespace Embever.Actors.Api.Http;

/// <summary>A webhook as given in a request: what triggers it (an event type or an action status), where it goes.</summary>
public readonly record struct WebhookField(string Trigger, string Url, bool PayloadOnly);

/// <summary>
/// Reads a <c>webhooks</c> array: objects of a trigger field (<c>type</c> on devices, <c>status</c>
/// on actions), an absolute http(s) <c>url</c> and an optional boolean <c>payload_only</c>.
/// </summary>
public static class WebhookFields
{
    public const int MaxWebhooks = 100;

    /// <returns>The webhooks, an empty list for JSON null, or null when absent or invalid (errors recorded).</returns>
    public static IReadOnlyList<WebhookField>? Read(JsonFields fields, string trigger, Func<string, string?> triggerProblem, string name = "webhooks")
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
            fields.Error(name, $"Must be an array of {{{trigger}, url, payload_only}} objects.");
            return null;
        }

        if (value.GetArrayLength() > MaxWebhooks)
        {
            fields.Error(name, $"At most {MaxWebhooks} webhooks.");
            return null;
        }

        var webhooks = new List<WebhookField>();
        var index = 0;
        var valid = true;
        foreach (var item in value.EnumerateArray())
        {
            var prefix = $"{name}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Error(prefix, $"Must be an object {{{trigger}, url, payload_only}}.");
                valid = false;
                continue;
            }

            var hook = new JsonFields(item).Allow(trigger, "url", "payload_only");
            var key = hook.String(trigger, required: true);
            var url = hook.String("url", required: true, maxLength: WebhookUrls.MaxLength);
            var payloadOnly = hook.Bool("payload_only") ?? false;
            if (key is not null && triggerProblem(key) is { } keyProblem)
            {
                hook.Error(trigger, keyProblem);
            }

            if (url is not null && WebhookUrls.Problem(url) is { } urlProblem)
            {
                hook.Error("url", urlProblem);
            }

            foreach (var (field, messages) in hook.Errors)
            {
                valid = false;
                foreach (var message in messages)
                {
                    fields.Error($"{prefix}.{field}", message);
                }
            }

            if (hook.IsValid)
            {
                webhooks.Add(new WebhookField(key!, url!, payloadOnly));
            }
        }

        return valid ? webhooks : null;
    }
}
