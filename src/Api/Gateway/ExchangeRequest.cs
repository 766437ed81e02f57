using System.Text.Json;
using Embever.Actors.Actions;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Events;

namespace Embever.Actors.Api.Gateway;

/// <summary>Reads an exchange body: <c>events</c>, <c>acks</c>, <c>responses</c>, <c>file_transfers</c>, all optional.</summary>
public static class ExchangeRequest
{
    public const long BodyLimit = 1024 * 1024;
    public const int MaxItems = 1000;

    public static DeviceExchange? Parse(JsonFields fields)
    {
        fields.Allow("events", "acks", "responses", "file_transfers");
        var events = Items(fields, "events", item =>
        {
            var type = item.String("type", required: true);
            var payload = item.Body.TryGetProperty("payload", out var p) ? p.GetRawText() : "{}";
            item.Allow("type", "payload");
            return type is null ? null : new NewEvent(type, payload);
        });
        var acks = Items<long>(fields, "acks", null);
        var responses = Items(fields, "responses", item =>
        {
            item.Allow("action", "result", "result_code");
            var action = ActionId(item, "action");
            var result = item.Body.TryGetProperty("result", out var r) ? r.GetRawText() : "null";
            var code = item.String("result_code") ?? DeviceResponse.Success;
            if (code is not (DeviceResponse.Success or DeviceResponse.Failure))
            {
                item.Error("result_code", "Must be Success or Failure.");
            }

            return action is null ? null : new DeviceResponse(action.Value, result, code);
        });
        var transfers = Items(fields, "file_transfers", item =>
        {
            item.Allow("action", "status");
            var action = ActionId(item, "action");
            FileTransferOutcome? outcome = item.String("status", required: true) switch
            {
                null => null,
                "started" => FileTransferOutcome.Started,
                "complete" => FileTransferOutcome.Complete,
                "failed" => FileTransferOutcome.Failed,
                _ => Invalid(item),
            };
            return action is null || outcome is null ? null : new FileTransferReport(action.Value, outcome.Value);
        });

        return fields.IsValid
            ? new DeviceExchange(events, new ActionReports(acks, responses, transfers))
            : null;
    }

    private static FileTransferOutcome? Invalid(JsonFields item)
    {
        item.Error("status", "Must be started, complete or failed.");
        return null;
    }

    private static long? ActionId(JsonFields item, string name)
    {
        if (!item.Body.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var id))
        {
            item.Error(name, "Must be an action id (an integer).");
            return null;
        }

        return id;
    }

    /// <summary>An array of objects read by <paramref name="read"/>, or of action ids when it is null.</summary>
    private static List<T> Items<T>(JsonFields fields, string name, Func<JsonFields, T?>? read)
    {
        var items = new List<T>();
        if (!fields.Body.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return items;
        }

        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() > MaxItems)
        {
            fields.Error(name, $"Must be an array of at most {MaxItems} items.");
            return items;
        }

        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var at = index++;
            if (read is null)
            {
                if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var id))
                {
                    items.Add((T)(object)id);
                }
                else
                {
                    fields.Error($"{name}[{at}]", "Must be an action id (an integer).");
                }

                continue;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                fields.Error($"{name}[{at}]", "Must be an object.");
                continue;
            }

            var item = new JsonFields(element);
            var value = read(item);
            foreach (var (field, messages) in item.Errors)
            {
                foreach (var message in messages)
                {
                    fields.Error($"{name}[{at}].{field}", message);
                }
            }

            if (item.IsValid && value is not null)
            {
                items.Add(value);
            }
        }

        return items;
    }
}
