using System.Diagnostics;
using System.Net;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// A steady storm beside other work: devices exchanging one event each at a fixed rate (open
/// model), whose latency is compared alone and beside the work in the same run.
/// </summary>
public static class SteadyStorm
{
    /// <summary>Devices for the storm, imported and woken once (grains active, first last-seen stored): not measured.</summary>
    public static async Task<List<ProvisionedDevice>> DevicesAsync(PlatformClient client, int count)
    {
        var devices = await Provisioning.ImportDevicesAsync(client, count, "storm", parallel: 2);
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (device, _) =>
        {
            using var response = await client.ExchangeAsync(device.Id, device.Password, "{}");
            Tenant.Require(response, HttpStatusCode.OK);
        });
        return devices;
    }

    /// <summary>Exchanges with one event each, round the storm devices, at <paramref name="rate"/> until <paramref name="until"/> ends.</summary>
    public static async Task RunAsync(LoadRun run, PlatformClient client, IReadOnlyList<ProvisionedDevice> storm, double rate, int maxInFlight, string name, Task until)
    {
        using var stop = new CancellationTokenSource();
        _ = until.ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);
        var started = Stopwatch.GetTimestamp();
        var recorder = run.Recorder(name);
        await OpenLoop.RunAsync(long.MaxValue, rate, maxInFlight, async (i, due) =>
        {
            var device = storm[(int)(i % storm.Count)];
            using var response = await client.ExchangeAsync(device.Id, device.Password, """{"events":[{"type":"temp","payload":{"celsius":21.5}}]}""");
            await response.Content.LoadIntoBufferAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                recorder.Record(due);
            }
            else
            {
                recorder.Error($"HTTP {(int)response.StatusCode}");
            }
        }, stop.Token);
        run.OperationTime(name, Stopwatch.GetElapsedTime(started));
    }
}
