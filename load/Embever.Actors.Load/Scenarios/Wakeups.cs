using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Measure;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// What a wakeup costs, in one run against one baseline, in four phases:
/// <list type="number">
/// <item>plain wakeups: gateway exchanges with body <c>{}</c> (nothing to store), closed loop,
/// <c>Workers</c> clients for <c>Duration</c>;</item>
/// <item>wakeups with one event: the same with one event each (one event row to store);</item>
/// <item>a saturating wake storm (<see cref="WakeStorm"/>: three actions of service level 0-2 per
/// device, two exchanges per session) offered faster than the platform goes (open model);</item>
/// <item>the same storm on fresh devices at half the session rate measured in 3: latency from the
/// due time (open model, no coordinated omission).</item>
/// </list>
/// In phases 1 and 2 each worker cycles through its own slice of the devices (device i belongs to
/// worker i mod Workers), so no two requests of a worker in a row go to the same device and no two
/// workers ever wait for the same device. Before them every device makes one plain exchange, not
/// measured: it activates the device grain and stores the device's first last-seen time (stored
/// again at most once a minute), so that a plain exchange in phase 1 really stores nothing.
/// </summary>
public static class Wakeups
{
    public const string PlainBody = "{}";

    private const string Plain = "plain-exchange";
    private const string Event = "event-exchange";
    private const string Storm = "storm-exchange";
    private const string HalfStorm = "storm-half-exchange";

    public sealed record Settings(int Devices, int Workers, TimeSpan Duration, int StormDevices, double? StormRate, int MaxInFlight, string? CredentialsFile);

    private sealed record Phase(OperationSummary Summary, TimeSpan Elapsed, long Unexpected);

    public static string EventBody(long n) => $"{{\"events\":[{{\"type\":\"tick\",\"payload\":{{\"n\":{n}}}}}]}}";

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        if (settings.Devices < 2 * settings.Workers)
        {
            throw new ArgumentException($"--devices ({settings.Devices:N0}) must be at least twice --workers ({settings.Workers:N0}): each worker cycles through a slice of its own.");
        }

        run.Parameters["workers"] = settings.Workers.ToString("N0");
        run.Parameters["storm_devices"] = settings.StormDevices.ToString("N0");
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "wakeup");
        if (settings.CredentialsFile is { } file)
        {
            await File.WriteAllLinesAsync(file, devices.Select(d => $"{d.Id}:{d.Password}"));
            Progress.Line($"credentials of the {devices.Count:N0} wakeup devices (id:password per line) written to [bold]{Spectre.Console.Markup.Escape(file)}[/]");
        }

        var saturating = await WakeStorm.PrepareAsync(client, settings.StormDevices, "storm");
        var half = await WakeStorm.PrepareAsync(client, settings.StormDevices, "storm-half");
        await WarmUpAsync(run, client, devices, settings.Workers);

        run.StartMeasuring();

        // 1 and 2: closed loop, as fast as it goes.
        var plain = await ClosedPhaseAsync(run, client, devices, settings, "1/4 plain {}", Plain, _ => PlainBody, events: 0);
        var events = await ClosedPhaseAsync(run, client, devices, settings, "2/4 one event", Event, EventBody, events: 1);

        // 3: the wake storm, offered faster than it can go. The plain exchange rate is a safe
        // upper bound for sessions: each session is two exchanges, each heavier than a plain one.
        var offered = settings.StormRate ?? Math.Max(100, plain.Summary.PerSecond);
        run.Parameters["storm_offered_sessions_per_s"] = offered.ToString("N0");
        var storm = await StormPhaseAsync(run, client, saturating, offered, settings.MaxInFlight, "3/4 saturating storm", Storm);

        // 4: fresh devices at half the session rate the saturating storm reached.
        var halfRate = storm.Outcome.SessionsPerSecond / 2;
        run.Parameters["storm_half_sessions_per_s"] = halfRate.ToString("N0");
        var halfStorm = await StormPhaseAsync(run, client, half, halfRate, settings.MaxInFlight, "4/4 storm at half rate", HalfStorm);
        run.StopMeasuring();

        var health = run.Baseline?.RequestsPerSecond ?? double.NaN;
        run.Figures["health_requests_per_second"] = health;
        run.Figures["plain_exchanges_per_second"] = plain.Summary.PerSecond;
        run.Figures["plain_over_health"] = plain.Summary.PerSecond / health;
        run.Figures["plain_p50_ms"] = plain.Summary.P50;
        run.Figures["plain_p99_ms"] = plain.Summary.P99;
        run.Figures["event_exchanges_per_second"] = events.Summary.PerSecond;
        run.Figures["event_over_health"] = events.Summary.PerSecond / health;
        run.Figures["event_over_plain"] = events.Summary.PerSecond / plain.Summary.PerSecond;
        run.Figures["event_p50_ms"] = events.Summary.P50;
        run.Figures["event_p99_ms"] = events.Summary.P99;
        run.Figures["storm_offered_sessions_per_second"] = offered;
        run.Figures["storm_sessions_per_second"] = storm.Outcome.SessionsPerSecond;
        run.Figures["storm_exchanges_per_second"] = storm.Outcome.ExchangesPerSecond;
        run.Figures["storm_over_health"] = storm.Outcome.ExchangesPerSecond / health;
        run.Figures["storm_over_plain"] = storm.Outcome.ExchangesPerSecond / plain.Summary.PerSecond;
        run.Figures["storm_half_sessions_per_second"] = halfRate;
        run.Figures["storm_half_exchanges_per_second"] = halfStorm.Outcome.ExchangesPerSecond;
        run.Figures["storm_half_seconds"] = halfStorm.Outcome.Elapsed.TotalSeconds;
        run.Figures["storm_half_p50_ms"] = halfStorm.Summary.P50;
        run.Figures["storm_half_p90_ms"] = halfStorm.Summary.P90;
        run.Figures["storm_half_p99_ms"] = halfStorm.Summary.P99;
        run.Figures["storm_half_p99_9_ms"] = halfStorm.Summary.P999;
        run.Figures["storm_half_max_ms"] = halfStorm.Summary.Max;
        var scheduled = settings.StormDevices / halfRate;
        if (halfStorm.Outcome.Elapsed.TotalSeconds > (scheduled * 1.2) + 1)
        {
            run.Note($"the storm at half rate did not keep up: its sessions were due within {scheduled:N1} s but took {halfStorm.Outcome.Elapsed.TotalSeconds:N1} s");
        }

        var errors = new (string Name, long Errors, long Count)[]
        {
            ("plain", plain.Summary.Errors, plain.Summary.Count),
            ("one event", events.Summary.Errors, events.Summary.Count),
            ("storm", storm.Outcome.Errors, storm.Outcome.Exchanges),
            ("storm at half rate", halfStorm.Outcome.Errors, halfStorm.Outcome.Exchanges),
        };
        run.Check("every exchange answered 200", errors.All(e => e.Errors == 0),
            string.Join(", ", errors.Select(e => $"{e.Name}: {e.Errors:N0} errors of {e.Errors + e.Count:N0}")));
        run.Check("plain exchanges got nothing and stored nothing; one-event exchanges stored their event",
            plain.Unexpected == 0 && events.Unexpected == 0,
            $"{plain.Unexpected:N0} plain and {events.Unexpected:N0} one-event answers were not as expected");
        WakeStorm.CheckProtocol(run, storm.Outcome, " (saturating storm)");
        WakeStorm.CheckProtocol(run, halfStorm.Outcome, " (storm at half rate)");
        var actions = saturating.Actions.Concat(half.Actions).ToDictionary(a => a.Key, a => (Woken: true, a.Value.Level));
        await WakeStorm.VerifyAsync(run, client, actions);
    }

    /// <summary>One plain exchange per device, not measured: device grains active, first last-seen stored.</summary>
    private static async Task WarmUpAsync(LoadRun run, PlatformClient client, IReadOnlyList<ProvisionedDevice> devices, int workers)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = 0;
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = workers }, async (device, _) =>
        {
            using var response = await client.ExchangeAsync(device.Id, device.Password, PlainBody);
            await response.Content.LoadIntoBufferAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref failed);
            }
        });
        Progress.Line($"warm-up: one plain exchange for each of {devices.Count:N0} devices in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s");
        if (failed > 0)
        {
            run.Note($"warm-up: {failed:N0} of {devices.Count:N0} plain exchanges did not answer 200");
        }
    }

    /// <summary>
    /// <see cref="Settings.Workers"/> closed-loop clients for <see cref="Settings.Duration"/>; worker
    /// w sends to devices w, w + Workers, w + 2 Workers, … in turn. Latency is service time.
    /// </summary>
    private static async Task<Phase> ClosedPhaseAsync(
        LoadRun run, PlatformClient client, IReadOnlyList<ProvisionedDevice> devices, Settings settings, string label, string name, Func<long, string> body, int events)
    {
        var recorder = run.Recorder(name);
        var turns = new long[settings.Workers];
        long sent = 0;
        long unexpected = 0;
        var started = Stopwatch.GetTimestamp();
        await using (Progress.Live(run, label, name))
        {
            await OpenLoop.ClosedAsync(settings.Workers, settings.Duration, async (worker, due) =>
            {
                var slice = ((devices.Count - worker - 1) / settings.Workers) + 1;
                var device = devices[worker + (settings.Workers * (int)(turns[worker]++ % slice))];
                try
                {
                    using var response = await client.ExchangeAsync(device.Id, device.Password, body(Interlocked.Increment(ref sent)));
                    var bytes = await response.Content.ReadAsByteArrayAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        recorder.Error($"HTTP {(int)response.StatusCode}");
                        return;
                    }

                    recorder.Record(due);
                    if (!AnswerIs(bytes, events))
                    {
                        Interlocked.Increment(ref unexpected);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    recorder.Error(exception.GetType().Name);
                }
            });
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        run.OperationTime(name, elapsed);
        var summary = recorder.Summarize(elapsed);
        Progress.Line($"{Spectre.Console.Markup.Escape(label)}: [bold]{summary.PerSecond:N0} exchanges/s[/] ({Ratio(run, summary.PerSecond)}), p50 {summary.P50:N2} ms, p99 {summary.P99:N2} ms, {summary.Errors:N0} errors ({settings.Workers} workers, {elapsed.TotalSeconds:N1} s)");
        return new Phase(summary, elapsed, unexpected);
    }

    private static async Task<(WakeStorm.Outcome Outcome, OperationSummary Summary)> StormPhaseAsync(
        LoadRun run, PlatformClient client, WakeStorm.StormDevices fleet, double rate, int maxInFlight, string label, string name)
    {
        var woken = Enumerable.Range(0, fleet.Devices.Count).OrderBy(_ => Random.Shared.Next()).ToList();
        WakeStorm.Outcome outcome;
        await using (Progress.Live(run, label, name))
        {
            outcome = await WakeStorm.StormAsync(run, client, fleet, woken, rate, maxInFlight, name);
        }

        run.OperationTime(name, outcome.Elapsed);
        var summary = run.Recorder(name).Summarize(outcome.Elapsed);
        Progress.Line($"{Spectre.Console.Markup.Escape(label)}: {outcome.Sessions:N0} sessions offered at {rate:N0}/s: [bold]{outcome.ExchangesPerSecond:N0} exchanges/s[/] ({Ratio(run, outcome.ExchangesPerSecond)}), {outcome.SessionsPerSecond:N0} sessions/s, p50 {summary.P50:N2} ms, p90 {summary.P90:N2} ms, p99 {summary.P99:N2} ms, p99.9 {summary.P999:N2} ms, {outcome.Errors:N0} errors ({outcome.Elapsed.TotalSeconds:N1} s)");
        return (outcome, summary);
    }

    /// <summary>The answer carries no action and exactly <paramref name="events"/> stored event ids.</summary>
    private static bool AnswerIs(byte[] bytes, int events)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return root.GetProperty("actions").GetArrayLength() == 0 && root.GetProperty("events").GetArrayLength() == events;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Ratio(LoadRun run, double perSecond) =>
        run.Baseline is { RequestsPerSecond: > 0 } baseline ? $"{perSecond / baseline.RequestsPerSecond:N3} × health" : "no baseline";
}
