using System.Text.Json.Nodes;
using Embever.Actors.Device.Link;

namespace Embever.Actors.Device;

/// <summary>
/// Plays a device's wakeup the way firmware does (docs/gateway-protocol.md): one exchange with
/// its new events, then — if actions came — what they ask: an ack for service levels 1 and 2, an
/// answer for level 2, the download of a getFile or _fota file with its transfer report, all in a
/// second exchange. A level 2 answer carries the <c>result_code</c> that
/// <paramref name="resultCode"/> gives for the action, if given (a device whose new firmware does
/// not boot answers its <c>_fota</c> with Failure).
/// </summary>
public sealed class SimulatedDevice(IDeviceLink link, Action<string>? say = null, Func<JsonObject, string>? resultCode = null)
{
    public IDeviceLink Link => link;

    public async Task<Wakeup> WakeAsync(IEnumerable<JsonObject> events)
    {
        link.Wake();
        var first = new JsonObject();
        var eventList = new JsonArray([.. events]);
        if (eventList.Count > 0)
        {
            first["events"] = eventList;
        }

        var answer = await link.ExchangeAsync(first);
        var actions = answer["actions"]!.AsArray().Select(a => a!.AsObject()).ToList();
        say?.Invoke($"  actions: {string.Join(", ", actions.Select(a => $"{a["id"]} {a["type"]} (level {a["service_level"]})"))}");
        if (actions.Count == 0)
        {
            return new Wakeup(actions, 1, 0);
        }

        var acks = new JsonArray();
        var responses = new JsonArray();
        var transfers = new JsonArray();
        long downloaded = 0;
        foreach (var action in actions)
        {
            var id = action["id"]!.GetValue<long>();
            var level = action["service_level"]!.GetValue<int>();
            if (level >= 1)
            {
                acks.Add(id);
            }

            if (FileOf(action) is { } file)
            {
                using var content = new MemoryStream();
                var etag = await link.DownloadAsync(file, content, 0);
                downloaded += content.Length;
                say?.Invoke($"  downloaded {file}: {content.Length} B, ETag {etag}");
                transfers.Add(new JsonObject { ["action"] = id, ["status"] = "complete" });
            }

            if (level == 2)
            {
                // Without a verdict the answer leaves result_code out (the gateway takes Success).
                var code = resultCode?.Invoke(action);
                var response = new JsonObject { ["action"] = id, ["result"] = new JsonObject { ["ok"] = code is null or "Success" } };
                if (code is not null)
                {
                    response["result_code"] = code;
                }

                responses.Add(response);
            }
        }

        var second = new JsonObject { ["acks"] = acks };
        if (responses.Count > 0)
        {
            second["responses"] = responses;
        }

        if (transfers.Count > 0)
        {
            second["file_transfers"] = transfers;
        }

        await link.ExchangeAsync(second);
        return new Wakeup(actions, 2, downloaded);
    }

    /// <summary>The file an action sends: a getFile's <c>payload.file</c>, a _fota's last segment of <c>payload.url</c>.</summary>
    private static string? FileOf(JsonObject action) => action["type"]!.GetValue<string>() switch
    {
        "getFile" => action["payload"]?["file"]?.GetValue<string>(),
        "_fota" => action["payload"]?["url"]?.GetValue<string>() is { } url ? url[(url.LastIndexOf('/') + 1)..] : null,
        _ => null,
    };

    /// <summary>What one wakeup did: the actions received, the exchanges it took, the bytes downloaded.</summary>
    public sealed record Wakeup(IReadOnlyList<JsonObject> Actions, int Exchanges, long Downloaded);
}
