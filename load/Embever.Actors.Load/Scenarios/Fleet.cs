using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// A large fleet, and what it must not do to the silo: N devices imported through the bulk
/// endpoint (the fast path) while a steady storm of device exchanges runs beside it (its p99
/// against the same storm alone, same run); then list pages with filters right after the import
/// (open model); then lists offered faster than the silo serves them, beside the storm (every
/// answer a 200 or a 503 with Retry-After, none slow, the devices unharmed); then the silo's
/// memory idle, with <c>Active</c> device grains, and after they deactivate (start the silo with a
/// short <c>Embever:GrainCollectionAge</c>), and the SQLite write-ahead log at the end. Figures
/// come from <c>GET /v2/diagnostics/?collect=true</c> (operator token) of the silo that answers.
/// </summary>
public static class Fleet
{
    public sealed record Settings(
        int Devices, int Active, double ListRate, TimeSpan ListDuration, TimeSpan IdleWait, int MaxInFlight,
        int StormDevices, double StormRate, double? OverloadRate, TimeSpan OverloadDuration);

    /// <summary>What the issue asks of lists right after the import, and of the store's log (MB).</summary>
    private const double ListP99Ms = 100;
    private const double DeepListP99MsPostgreSql = 500;
    private const double WalLimitMb = 256;
    private const double MemoryLimitMb = 1024;
    private const double OverloadSlowestMs = 2000;

    public static async Task RunAsync(LoadRun run, PlatformClient client, PlatformClient operatorClient, Settings settings)
    {
        var before = await DiagnosticsAsync(operatorClient);
        var postgres = before["store"]?["kind"]?.GetValue<string>() == "PostgreSql";
        run.StartMeasuring();
        var storm = settings.StormDevices > 0 ? await SteadyStorm.DevicesAsync(client, settings.StormDevices) : [];

        // 1. The storm alone, then the same storm while the fleet imports.
        if (storm.Count > 0)
        {
            Progress.Line($"storm alone: {settings.StormRate:N0} exchanges/s for 20 s");
            await using (Progress.Live(run))
            {
                await SteadyStorm.RunAsync(run, client, storm, settings.StormRate, settings.MaxInFlight, "exchange (storm alone)", Task.Delay(TimeSpan.FromSeconds(20)));
            }
        }

        var importStarted = Stopwatch.GetTimestamp();
        var import = Provisioning.ImportDevicesAsync(client, settings.Devices, "fleet", parallel: 2);
        if (storm.Count > 0)
        {
            await using (Progress.Live(run))
            {
                await SteadyStorm.RunAsync(run, client, storm, settings.StormRate, settings.MaxInFlight, "exchange (storm during import)", import);
            }
        }

        var devices = await import;
        var importTime = Stopwatch.GetElapsedTime(importStarted);
        run.Figures["import_devices_per_second"] = devices.Count / importTime.TotalSeconds;
        run.OperationTime("exchange (storm during import)", importTime);

        // 2. List pages with filters, at a steady rate, right after the import. The harness first
        // drops its own garbage of the import (a million passwords, megabytes of JSON), so that
        // its collection does not count as the platform's latency.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var count = (long)(settings.ListRate * settings.ListDuration.TotalSeconds);
        var listsStarted = Stopwatch.GetTimestamp();
        await using (Progress.Live(run))
        {
            await OpenLoop.RunAsync(count, settings.ListRate, settings.MaxInFlight, (i, due) => ListAsync(run, client, settings, i, due, ""), CancellationToken.None);
        }

        foreach (var kind in ListKinds)
        {
            run.OperationTime(kind, Stopwatch.GetElapsedTime(listsStarted));
            var summary = run.Recorder(kind).Summarize(Stopwatch.GetElapsedTime(listsStarted));
            var limit = postgres && kind == "list-deep-page" ? DeepListP99MsPostgreSql : ListP99Ms;
            run.Check($"{kind} p99 ≤ {limit:N0} ms right after the import, no errors", summary.P99 <= limit && summary.Errors == 0,
                $"p99 {summary.P99:N1} ms, {summary.Errors} errors of {summary.Count + summary.Errors}");
        }

        // 3. Lists offered faster than they are served (by default twice what 32 clients got), beside the storm.
        if (settings.OverloadRate is not <= 0)
        {
            var rate = settings.OverloadRate ?? 2 * await ListCapacityAsync(run, client, settings);
            await OverloadAsync(run, client, storm, settings with { OverloadRate = rate });
        }

        await MemoryAsync(run, client, operatorClient, settings, devices, before);
        run.StopMeasuring();
    }

    private static readonly string[] ListKinds = ["list-first-page", "list-by-name", "list-filtered-first-page", "list-deep-page"];

    private static async Task ListAsync(LoadRun run, PlatformClient client, Settings settings, long i, long due, string suffix)
    {
        var kind = ListKinds[i % 4];
        var path = kind switch
        {
            "list-first-page" => "/v2/devices/?limit=100",
            "list-by-name" => $"/v2/devices/?name=fleet-{Random.Shared.Next(settings.Devices)}",
            "list-filtered-first-page" => "/v2/devices/?type=other&activated=false&limit=100",
            _ => $"/v2/devices/?limit=100&offset={Random.Shared.Next(settings.Devices)}",
        };
        var recorder = run.Recorder(kind + suffix);
        using var response = await client.GetAsync(path);
        await response.Content.LoadIntoBufferAsync();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            recorder.Record(due);
        }
        else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
        {
            // Refused, as it should be under overload: its latency counts apart.
            run.Recorder("list refused (503)" + suffix).Record(due);
        }
        else
        {
            recorder.Error($"HTTP {(int)response.StatusCode}");
        }
    }

    /// <summary>How many list pages a second the silo serves to 32 clients asking back to back, for 5 s.</summary>
    private static async Task<double> ListCapacityAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        const string suffix = " (capacity)";
        var started = Stopwatch.GetTimestamp();
        await OpenLoop.ClosedAsync(32, TimeSpan.FromSeconds(5), i => ListAsync(run, client, settings, Random.Shared.Next(4), Stopwatch.GetTimestamp(), suffix));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var served = ListKinds.Sum(k => run.Recorder(k + suffix).Count);
        foreach (var kind in ListKinds)
        {
            run.OperationTime(kind + suffix, elapsed);
        }

        run.Figures["list_pages_per_second_served (32 clients)"] = served / elapsed.TotalSeconds;
        Progress.Line($"lists served to 32 clients: {served / elapsed.TotalSeconds:N0} pages/s");
        return Math.Max(10, served / elapsed.TotalSeconds);
    }

    /// <summary>Lists at the overload rate for a while, the storm beside them: refusals fast, the devices unharmed.</summary>
    private static async Task OverloadAsync(LoadRun run, PlatformClient client, IReadOnlyList<ProvisionedDevice> storm, Settings settings)
    {
        var rate = settings.OverloadRate!.Value;
        Progress.Line($"overload: {rate:N0} list pages/s offered for {settings.OverloadDuration.TotalSeconds:N0} s beside the storm");
        const string suffix = " (overload)";
        var started = Stopwatch.GetTimestamp();
        var lists = OpenLoop.RunAsync(
            (long)(rate * settings.OverloadDuration.TotalSeconds), rate, settings.MaxInFlight,
            (i, due) => ListAsync(run, client, settings, i, due, suffix), CancellationToken.None);
        await using (Progress.Live(run))
        {
            if (storm.Count > 0)
            {
                await SteadyStorm.RunAsync(run, client, storm, settings.StormRate, settings.MaxInFlight, "exchange (storm beside overload)", lists);
            }

            await lists;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var answered = ListKinds.Select(k => run.Recorder(k + suffix).Summarize(elapsed)).ToList();
        var refused = run.Recorder("list refused (503)" + suffix).Summarize(elapsed);
        foreach (var name in ListKinds.Select(k => k + suffix).Append("list refused (503)" + suffix))
        {
            run.OperationTime(name, elapsed);
        }

        var errors = answered.Sum(a => a.Errors);
        var slowest = answered.Select(a => a.Max).Append(refused.Max).Max();
        run.Figures["overload_lists_offered_per_second"] = rate;
        run.Figures["overload_lists_answered_per_second"] = answered.Sum(a => a.Count) / elapsed.TotalSeconds;
        run.Figures["overload_lists_refused_per_second"] = refused.Count / elapsed.TotalSeconds;
        run.Figures["overload_slowest_answer_ms"] = slowest;
        run.Check("overload: every list answered 200 or 503 with Retry-After", errors == 0, $"{errors} other answers");
        run.Check($"overload: no list answer slower than {OverloadSlowestMs:N0} ms", slowest <= OverloadSlowestMs, $"slowest {slowest:N0} ms");
        if (storm.Count > 0)
        {
            var alone = run.Recorder("exchange (storm alone)").Summarize(elapsed);
            var beside = run.Recorder("exchange (storm beside overload)").Summarize(elapsed);
            var during = run.Recorder("exchange (storm during import)").Summarize(elapsed);
            run.Figures["storm_alone_p99_ms"] = alone.P99;
            run.Figures["storm_during_import_p99_ms"] = during.P99;
            run.Figures["storm_beside_overload_p99_ms"] = beside.P99;
            run.Figures["storm_during_import_over_alone"] = during.P99 / alone.P99;
            run.Figures["storm_beside_overload_over_alone"] = beside.P99 / alone.P99;
            run.Check("storm: exchange p99 during the import ≤ 2 × alone", during.P99 <= 2 * alone.P99 && during.Errors == 0,
                $"{during.P99:N1} ms during, {alone.P99:N1} ms alone ({during.P99 / alone.P99:N2}×), {during.Errors} errors");
            run.Check("storm: exchange p99 beside overloading lists ≤ 2 × alone", beside.P99 <= 2 * alone.P99 && beside.Errors == 0,
                $"{beside.P99:N1} ms beside, {alone.P99:N1} ms alone ({beside.P99 / alone.P99:N2}×), {beside.Errors} errors");
        }
    }

    /// <summary>Memory: idle fleet, then with active grains, then after idle deactivation; the store's log at the end.</summary>
    private static async Task MemoryAsync(LoadRun run, PlatformClient client, PlatformClient operatorClient, Settings settings, List<ProvisionedDevice> devices, JsonNode before)
    {
        var loaded = await DiagnosticsAsync(operatorClient);
        var active = devices.OrderBy(_ => Random.Shared.Next()).Take(settings.Active).ToList();
        var activated = 0;
        await Parallel.ForEachAsync(active, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (device, _) =>
        {
            using var response = await client.GetAsync($"/v2/devices/{device.Id}/");
            Tenant.Require(response, HttpStatusCode.OK);
            if (Interlocked.Increment(ref activated) % 20_000 == 0)
            {
                Progress.Line($"activated {activated:N0} device grains");
            }
        });
        var busy = await DiagnosticsAsync(operatorClient);
        var grains = DeviceActivations(busy) - DeviceActivations(loaded);
        run.Figures["device_grains_activated"] = grains;
        run.Figures["bytes_per_active_device_grain (gc heap)"] = grains > 0 ? (Heap(busy) - Heap(loaded)) / grains : 0;
        run.Figures["working_set_mb_before_import"] = Mb(before);
        run.Figures["working_set_mb_after_import"] = Mb(loaded);
        run.Figures["working_set_mb_with_active_grains"] = Mb(busy);

        var deadline = DateTime.UtcNow + settings.IdleWait;
        var idle = busy;
        while (DeviceActivations(idle) > settings.Active / 100 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            idle = await DiagnosticsAsync(operatorClient);
            Progress.Line($"waiting for idle deactivation: {DeviceActivations(idle):N0} device grains active, working set {Mb(idle):N0} MB, " +
                $"SQLite {Store(idle, "sqlite_memory_bytes") / 1048576:N0} MB, log {Store(idle, "wal_bytes") / 1048576:N0} MB");
        }

        run.Figures["working_set_mb_after_idle_deactivation"] = Mb(idle);
        run.Figures["gc_heap_mb_after_idle_deactivation"] = Heap(idle) / 1024 / 1024;
        run.Figures["sqlite_memory_mb_after_idle_deactivation"] = Store(idle, "sqlite_memory_bytes") / 1048576;
        run.Figures["sqlite_cache_hit_ratio"] = idle["store"]?["sqlite_cache_hit_ratio"]?.GetValue<double>() ?? 0;
        run.Figures["wal_mb_at_end"] = Store(idle, "wal_bytes") / 1048576;
        run.Check("device grains deactivated when idle", DeviceActivations(idle) <= settings.Active / 100, $"{DeviceActivations(idle):N0} still active after {settings.IdleWait.TotalSeconds:N0} s");
        run.Check($"{settings.Devices:N0} devices in at most {MemoryLimitMb:N0} MB after idle deactivation", Mb(idle) <= MemoryLimitMb, $"working set {Mb(idle):N0} MB");
        run.Check($"write-ahead log at most {WalLimitMb:N0} MB at the end", Store(idle, "wal_bytes") / 1048576 <= WalLimitMb, $"{Store(idle, "wal_bytes") / 1048576:N0} MB");
    }

    private static async Task<JsonNode> DiagnosticsAsync(PlatformClient operatorClient)
    {
        using var response = await operatorClient.GetAsync("/v2/diagnostics/?collect=true");
        Tenant.Require(response, HttpStatusCode.OK);
        return await PlatformClient.ReadJsonAsync(response);
    }

    private static double Mb(JsonNode diagnostics) => diagnostics["working_set_bytes"]!.GetValue<long>() / 1024.0 / 1024.0;

    private static double Heap(JsonNode diagnostics) => diagnostics["gc_heap_bytes"]!.GetValue<long>();

    private static double Store(JsonNode diagnostics, string name) => diagnostics["store"]?[name]?.GetValue<long>() ?? 0;

    private static long DeviceActivations(JsonNode diagnostics) =>
        diagnostics["activations"]!.AsObject().Where(a => a.Key.Contains("DeviceGrain", StringComparison.Ordinal)).Sum(a => a.Value!.GetValue<long>());
}
