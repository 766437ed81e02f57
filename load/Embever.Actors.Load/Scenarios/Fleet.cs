using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// A large fleet: N devices provisioned through the bulk import endpoint (the fast path), then
/// list-page latency with filters (open model), the silo's memory before and with
/// <c>Active</c> device grains activated, and after they deactivate for being idle
/// (start the silo with a short <c>Embever:GrainCollectionAge</c>). Memory comes from
/// <c>GET /v2/diagnostics/?collect=true</c> (operator token) of the silo that answers.
/// </summary>
public static class Fleet
{
    public sealed record Settings(int Devices, int Active, double ListRate, TimeSpan ListDuration, TimeSpan IdleWait, int MaxInFlight);

    public static async Task RunAsync(LoadRun run, PlatformClient client, PlatformClient operatorClient, Settings settings)
    {
        var before = await DiagnosticsAsync(operatorClient);
        var importStarted = Stopwatch.GetTimestamp();
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "fleet", parallel: 2);
        run.Figures["import_devices_per_second"] = devices.Count / Stopwatch.GetElapsedTime(importStarted).TotalSeconds;

        // List pages with filters, at a steady rate.
        var count = (long)(settings.ListRate * settings.ListDuration.TotalSeconds);
        run.StartMeasuring();
        await using (Progress.Live(run))
        {
            await OpenLoop.RunAsync(count, settings.ListRate, settings.MaxInFlight, async (i, due) =>
            {
                var (name, path) = (i % 4) switch
                {
                    0 => ("list-first-page", "/v2/devices/?limit=100"),
                    1 => ("list-by-name", $"/v2/devices/?name=fleet-{Random.Shared.Next(settings.Devices)}"),
                    2 => ("list-filtered-first-page", "/v2/devices/?type=other&activated=false&limit=100"),
                    _ => ("list-deep-page", $"/v2/devices/?limit=100&offset={Random.Shared.Next(settings.Devices)}"),
                };
                var recorder = run.Recorder(name);
                using var response = await client.GetAsync(path);
                await response.Content.LoadIntoBufferAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    recorder.Record(due);
                }
                else
                {
                    recorder.Error($"HTTP {(int)response.StatusCode}");
                }
            }, CancellationToken.None);
        }

        run.StopMeasuring();

        // Memory: idle fleet, then with active grains, then after idle deactivation.
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
            Progress.Line($"waiting for idle deactivation: {DeviceActivations(idle):N0} device grains active, working set {Mb(idle):N0} MB");
        }

        run.Figures["working_set_mb_after_idle_deactivation"] = Mb(idle);
        run.Figures["gc_heap_mb_after_idle_deactivation"] = Heap(idle) / 1024 / 1024;
        run.Check("device grains deactivated when idle", DeviceActivations(idle) <= settings.Active / 100, $"{DeviceActivations(idle):N0} still active after {settings.IdleWait.TotalSeconds:N0} s");
        run.Check($"{settings.Devices:N0} devices in less than 2 GB after idle deactivation", Mb(idle) < 2048, $"working set {Mb(idle):N0} MB");
    }

    private static async Task<JsonNode> DiagnosticsAsync(PlatformClient operatorClient)
    {
        using var response = await operatorClient.GetAsync("/v2/diagnostics/?collect=true");
        Tenant.Require(response, HttpStatusCode.OK);
        return await PlatformClient.ReadJsonAsync(response);
    }

    private static double Mb(JsonNode diagnostics) => diagnostics["working_set_bytes"]!.GetValue<long>() / 1024.0 / 1024.0;

    private static double Heap(JsonNode diagnostics) => diagnostics["gc_heap_bytes"]!.GetValue<long>();

    private static long DeviceActivations(JsonNode diagnostics) =>
        diagnostics["activations"]!.AsObject().Where(a => a.Key.Contains("DeviceGrain", StringComparison.Ordinal)).Sum(a => a.Value!.GetValue<long>());
}
