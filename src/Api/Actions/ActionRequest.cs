using System.Text.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Actions;
using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Actions;

/// <summary>A validated <c>POST /v2/actions/</c> body; the device is resolved and getFile's file stored afterwards.</summary>
public sealed record ActionRequest(
    string? DeviceId,
    string? DeviceName,
    string Type,
    JsonObject Payload,
    IReadOnlyList<ActionWebhook> Webhooks,
    int ServiceLevel,
    DateTime? ExpiryDate)
{
    public const long BodyLimit = 16 * 1024 * 1024;

    private static readonly HashSet<string> Statuses = [.. ActionStatuses.All];

    /// <summary>Reads and checks every field; null when any is wrong (the errors are in <paramref name="fields"/>).</summary>
    public static ActionRequest? Parse(JsonFields fields, DateTime now)
    {
        fields.Allow("device", "type", "payload", "webhooks", "service_level", "expiry_date", "cancelled");
        var (deviceId, deviceName) = ReadDevice(fields);
        var type = fields.String("type", required: true);
        if (type is not null && ActionTypes.IsPrivate(type))
        {
            fields.Error("type", "Types starting with '_' are reserved for the platform.");
        }

        var payload = ReadPayload(fields);
        var webhooks = WebhookFields.Read(fields, "status", status => Statuses.Contains(status) ? null : $"Must be one of: {string.Join(", ", ActionStatuses.All)}.");
        var serviceLevel = fields.Int("service_level", 0, 2) ?? 0;
        var expiry = fields.Timestamp("expiry_date");
        if (expiry <= now)
        {
            fields.Error("expiry_date", "Must be in the future.");
        }

        if (fields.Bool("cancelled") == true)
        {
            fields.Error("cancelled", "A new action cannot be cancelled already.");
        }

        if (type == ActionTypes.GetFile && payload is not null && payload["file"]?.GetValueKind() != JsonValueKind.String)
        {
            fields.Error("payload.file", "getFile needs payload.file: a data:<type>/<format>;base64,<data> URI.");
        }

        return fields.IsValid
            ? new ActionRequest(deviceId, deviceName, type!, payload!, webhooks?.Select(w => new ActionWebhook(w.Trigger, w.Url, w.PayloadOnly)).ToList() ?? [], serviceLevel, expiry)
            : null;
    }

    private static (string? Id, string? Name) ReadDevice(JsonFields fields)
    {
        if (!fields.Body.TryGetProperty("device", out var device) || device.ValueKind != JsonValueKind.Object)
        {
            fields.Error("device", "Required: {\"id\": …} or {\"name\": …}.");
            return (null, null);
        }

        var reference = new JsonFields(device).Allow("id", "name");
        var id = reference.String("id");
        var name = reference.String("name");
        if (id is null && name is null && reference.IsValid)
        {
            reference.Error("id", "Give the device's id or its name.");
        }

        foreach (var (field, messages) in reference.Errors)
        {
            foreach (var message in messages)
            {
                fields.Error($"device.{field}", message);
            }
        }

        return (id, name);
    }

    private static JsonObject? ReadPayload(JsonFields fields)
    {
        if (!fields.Body.TryGetProperty("payload", out var payload) || payload.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (payload.ValueKind != JsonValueKind.Object)
        {
            fields.Error("payload", "Must be a JSON object.");
            return null;
        }

        return JsonNode.Parse(payload.GetRawText())!.AsObject();
    }
}
