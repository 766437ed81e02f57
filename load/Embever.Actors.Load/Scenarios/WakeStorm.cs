using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Measure;
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

    /// <summary><paramref name="ListRate"/>: device list pages a second (first, filtered, deep) beside the storm, 0 for none.</summary>
    public sealed record Settings(int Devices, double Fraction, TimeSpan Window, double? Rate, int MaxInFlight, double ListRate = 0);

    /// <summary>Devices ready for a storm: each has one buffered action of service level 0, 1 and 2.</summary>
    public sealed record StormDevices(
        IReadOnlyList<ProvisionedDevice> Devices,
        IReadOnlyDictionary<long, (int Device, int Level)> Actions,
        IReadOnlyDictionary<int, List<(long Id, int Level)>> Expected);

    /// <summary>What one storm did: sessions (two exchanges each), how long it took, and what went wrong.</summary>
    public sealed record Outcome(int Sessions, double Rate, long Exchanges, long Errors, TimeSpan Elapsed, int Mismatched, int Resent)
    {
        public double ExchangesPerSecond => Exchanges / Elapsed.TotalSeconds;

        public double SessionsPerSecond => Sessions / Elapsed.TotalSeconds;
    }

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        var fleet = await PrepareAsync(client, settings.Devices, "storm");
        var woken = Enumerable.Range(0, fleet.Devices.Count).OrderBy(_ => Random.Shared.Next()).Take((int)Math.Round(settings.Devices * settings.Fraction)).ToList();
        var rate = settings.Rate ?? woken.Count / settings.Window.TotalSeconds;
        run.Parameters["woken"] = woken.Count.ToString("N0");
        run.Parameters["session_rate_per_s"] = rate.ToString("N0");

        run.StartMeasuring();
        Outcome outcome;
        using var storming = new CancellationTokenSource();
        var lists = settings.ListRate > 0 ? ListBesideAsync(run, client, settings, storming.Token) : Task.CompletedTask;
        await using (Progress.Live(run))
        {
            outcome = await StormAsync(run, client, fleet, woken, rate, settings.MaxInFlight, "exchange");
            await storming.CancelAsync();
            await lists;
        }

        run.StopMeasuring();
        run.Figures["exchanges_per_second"] = outcome.Exchanges / run.MeasuredTime.TotalSeconds;
        run.Figures["wakeups_per_second"] = woken.Count / run.MeasuredTime.TotalSeconds;
        CheckProtocol(run, outcome, string.Empty);
        var wokenSet = woken.ToHashSet();
        await VerifyAsync(run, client, fleet.Actions.ToDictionary(a => a.Key, a => (Woken: wokenSet.Contains(a.Value.Device), a.Value.Level)));
    }

    /// <summary>Lists of the storm's devices at a steady rate until the storm ends: the first page, a filtered one, a deep one.</summary>
    private static async Task ListBesideAsync(LoadRun run, PlatformClient client, Settings settings, CancellationToken stop)
    {
        await OpenLoop.RunAsync(long.MaxValue, settings.ListRate, settings.MaxInFlight, async (i, due) =>
        {
            var path = (i % 3) switch
            {
                0 => "/v2/devices/?limit=100",
                1 => "/v2/devices/?type=other&activated=false&limit=100",
                _ => $"/v2/devices/?limit=100&offset={Random.Shared.Next(settings.Devices)}",
            };
            var recorder = run.Recorder("list beside the storm");
            using var response = await client.GetAsync(path);
            await response.Content.LoadIntoBufferAsync();
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
            {
                recorder.Record(due);
            }
            else
            {
                recorder.Error($"HTTP {(int)response.StatusCode}");
            }
        }, stop);
    }

    /// <summary>Imports <paramref name="count"/> devices and gives each an action of service level 0, 1 and 2 (not measured).</summary>
    public static async Task<StormDevices> PrepareAsync(PlatformClient client, int count, string prefix)
    {
        var devices = await Provisioning.ImportDevicesAsync(client, count, prefix);
        var actions = await Provisioning.CreateActionsAsync(client, devices, Levels);
        var expected = actions.GroupBy(a => a.Value.Device).ToDictionary(g => g.Key, g => g.Select(a => (Id: a.Key, a.Value.Level)).OrderBy(a => a.Id).ToList());
        return new StormDevices(devices, actions, expected);
    }

    /// <summary>
    /// One storm: the devices at <paramref name="woken"/> (indices into the fleet) wake at
    /// <paramref name="rate"/> sessions per second (open model: session i is due at start + i / rate,
    /// and its first exchange's latency counts from then) and run the protocol; every exchange is
    /// recorded by <paramref name="recorder"/>.
    /// </summary>
    public static async Task<Outcome> StormAsync(LoadRun run, PlatformClient client, StormDevices fleet, IReadOnlyList<int> woken, double rate, int maxInFlight, string recorder)
    {
        var exchanges = run.Recorder(recorder);
        var (countBefore, errorsBefore) = (exchanges.Count, exchanges.Errors);
        var mismatched = 0;
        var resent = 0;
        var started = Stopwatch.GetTimestamp();
        await OpenLoop.RunAsync(woken.Count, rate, maxInFlight, async (i, due) =>
        {
            var index = woken[(int)i];
            var device = fleet.Devices[index];
            var first = await ExchangeAsync(exchanges, client, device, $"{{\"events\":[{{\"type\":\"tick\",\"payload\":{{\"n\":{i}}}}}]}}", due);
            if (first is null)
            {
                return;
            }

            var received = first.Value.EnumerateArray().Select(a => (Id: a.GetProperty("id").GetInt64(), Level: a.GetProperty("service_level").GetInt32())).OrderBy(a => a.Id).ToList();
            if (!received.SequenceEqual(fleet.Expected[index]))
            {
                Interlocked.Increment(ref mismatched);
            }

            var acks = string.Join(",", received.Where(a => a.Level >= 1).Select(a => a.Id));
            var responses = string.Join(",", received.Where(a => a.Level == 2).Select(a => $"{{\"action\":{a.Id},\"result\":{{\"ok\":true}},\"result_code\":\"Success\"}}"));
            var second = await ExchangeAsync(exchanges, client, device, $"{{\"acks\":[{acks}],\"responses\":[{responses}],\"events\":[{{\"type\":\"tick\",\"payload\":{{\"n\":{i}}}}}]}}", Stopwatch.GetTimestamp());
            if (second is { } again && again.GetArrayLength() > 0)
            {
                Interlocked.Increment(ref resent);
            }
        }, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new Outcome(woken.Count, rate, exchanges.Count - countBefore, exchanges.Errors - errorsBefore, elapsed, mismatched, resent);
    }

    /// <summary>The checks a storm makes as it goes: the right actions arrived, nothing came twice.</summary>
    public static void CheckProtocol(LoadRun run, Outcome outcome, string which)
    {
        run.Check($"every woken device received exactly its three actions{which}", outcome.Mismatched == 0, $"{outcome.Mismatched:N0} of {outcome.Sessions:N0} did not");
        run.Check($"nothing was sent again after it was acknowledged and answered{which}", outcome.Resent == 0, $"{outcome.Resent:N0} second exchanges carried actions");
    }

    private static async Task<JsonElement?> ExchangeAsync(LatencyRecorder recorder, PlatformClient client, ProvisionedDevice device, string body, long due)
    {
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

    /// <summary>
    /// Every action, read back through the API, is where the protocol must have left it:
    /// <paramref name="actions"/> holds every action of the organisation, whether its device woke and its service level.
    /// </summary>
    public static async Task VerifyAsync(LoadRun run, PlatformClient client, IReadOnlyDictionary<long, (bool Woken, int Level)> actions)
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
                var status = action.GetProperty("status");
                var finished = action.GetProperty("finished").GetBoolean();
                var right = actions.TryGetValue(id, out var expected) && (expected.Woken
                    ? finished && status.TryGetProperty("action_sent", out _)
                        && (expected.Level < 1 || status.TryGetProperty("action_delivered", out _))
                        && (expected.Level < 2 || status.TryGetProperty("response_received", out _))
                    : !finished && !status.TryGetProperty("action_sent", out _));
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
