using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// A wake storm: N devices, each with a buffered action of service level 0, 1 and 2; a fraction
/// of them wakes within a window (open arrival model) and runs the real protocol — an exchange
/// with an event that receives the three actions, then an exchange with an event that acks and
/// answers them. Afterwards every action is checked through the API.
/// </summary>
public static class WakeStorm
{
    private static readonly int[] Levels = [0, 1, 2];

    public sealed record Settings(int Devices, double Fraction, TimeSpan Window, double? Rate, int MaxInFlight);

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "storm");
        var actions = await Provisioning.CreateActionsAsync(client, devices, Levels);
        var expected = actions.GroupBy(a => a.Value.Device).ToDictionary(g => g.Key, g => g.Select(a => (Id: a.Key, a.Value.Level)).OrderBy(a => a.Id).ToList());

        var woken = Enumerable.Range(0, devices.Count).OrderBy(_ => Random.Shared.Next()).Take((int)Math.Round(settings.Devices * settings.Fraction)).ToList();
        var rate = settings.Rate ?? woken.Count / settings.Window.TotalSeconds;
        run.Parameters["woken"] = woken.Count.ToString("N0");
        run.Parameters["session_rate_per_s"] = rate.ToString("N0");
        var mismatched = 0;
        var resent = 0;

        run.StartMeasuring();
        await using (Progress.Live(run))
        {
            await OpenLoop.RunAsync(woken.Count, rate, settings.MaxInFlight, async (i, due) =>
            {
                var index = woken[(int)i];
                var device = devices[index];
                var first = await ExchangeAsync(run, client, device, $"{{\"events\":[{{\"type\":\"tick\",\"payload\":{{\"n\":{i}}}}}]}}", due);
                if (first is null)
                {
                    return;
                }

                var received = first.Value.EnumerateArray().Select(a => (Id: a.GetProperty("id").GetInt64(), Level: a.GetProperty("service_level").GetInt32())).OrderBy(a => a.Id).ToList();
                if (!received.SequenceEqual(expected[index]))
                {
                    Interlocked.Increment(ref mismatched);
                }

                var acks = string.Join(",", received.Where(a => a.Level >= 1).Select(a => a.Id));
                var responses = string.Join(",", received.Where(a => a.Level == 2).Select(a => $"{{\"action\":{a.Id},\"result\":{{\"ok\":true}},\"result_code\":\"Success\"}}"));
                var second = await ExchangeAsync(run, client, device, $"{{\"acks\":[{acks}],\"responses\":[{responses}],\"events\":[{{\"type\":\"tick\",\"payload\":{{\"n\":{i}}}}}]}}", Stopwatch.GetTimestamp());
                if (second is { } again && again.GetArrayLength() > 0)
                {
                    Interlocked.Increment(ref resent);
                }
            }, CancellationToken.None);
        }

        run.StopMeasuring();
        var exchanges = run.Recorder("exchange").Count;
        run.Figures["exchanges_per_second"] = exchanges / run.MeasuredTime.TotalSeconds;
        run.Figures["wakeups_per_second"] = woken.Count / run.MeasuredTime.TotalSeconds;
        run.Check("every woken device received exactly its three actions", mismatched == 0, $"{mismatched:N0} of {woken.Count:N0} did not");
        run.Check("nothing was sent again after it was acknowledged and answered", resent == 0, $"{resent:N0} second exchanges carried actions");
        await VerifyAsync(run, client, actions, woken.ToHashSet());
    }

    private static async Task<JsonElement?> ExchangeAsync(LoadRun run, PlatformClient client, ProvisionedDevice device, string body, long due)
    {
        var recorder = run.Recorder("exchange");
        try
        {
            using var response = await client.ExchangeAsync(device.Id, device.Password, body);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                recorder.Error($"HTTP {(int)response.StatusCode}");
                return null;
            }

            recorder.Record(due);
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.GetProperty("actions").Clone();
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            recorder.Error(exception.GetType().Name);
            return null;
        }
    }

    /// <summary>Every action, read back through the API, is where the protocol must have left it.</summary>
    private static async Task VerifyAsync(LoadRun run, PlatformClient client, IReadOnlyDictionary<long, (int Device, int Level)> actions, HashSet<int> woken)
    {
        var started = Stopwatch.GetTimestamp();
        var wrong = new List<string>();
        var seen = 0;
        for (var offset = 0; ; offset += 1000)
        {
            using var response = await client.GetAsync($"/v2/actions/?limit=1000&offset={offset}");
            Tenant.Require(response, HttpStatusCode.OK);
            using var page = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
            foreach (var action in page.RootElement.EnumerateArray())
            {
                seen++;
                var id = action.GetProperty("id").GetInt64();
                var (device, level) = actions[id];
                var status = action.GetProperty("status");
                var finished = action.GetProperty("finished").GetBoolean();
                var right = woken.Contains(device)
                    ? finished && status.TryGetProperty("action_sent", out _)
                        && (level < 1 || status.TryGetProperty("action_delivered", out _))
                        && (level < 2 || status.TryGetProperty("response_received", out _))
                    : !finished && !status.TryGetProperty("action_sent", out _);
                if (!right && wrong.Count < 10)
                {
                    wrong.Add($"{id}: {action.GetRawText()}");
                }
                else if (!right)
                {
                    wrong.Add(string.Empty);
                }
            }

            if (page.RootElement.GetArrayLength() < 1000)
            {
                break;
            }
        }

        run.Check("every action reached the right final state (checked through the API)",
            wrong.Count == 0 && seen == actions.Count,
            $"{seen:N0} of {actions.Count:N0} actions listed, {wrong.Count:N0} wrong in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s" + (wrong.Count > 0 ? ": " + string.Join(" | ", wrong.Where(w => w.Length > 0).Take(3)) : ""));
    }
}
