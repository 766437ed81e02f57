using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;
using Embever.Actors.Platform;

namespace Embever.Actors.Load.Scenarios;

/// <summary>A provisioned device: its id and its one-time password.</summary>
public sealed record ProvisionedDevice(string Id, string Password);

/// <summary>Creating the fleet a scenario needs, fast: not part of what is measured.</summary>
public static class Provisioning
{
    /// <summary>Devices through the bulk import endpoint (<c>POST /v2/devices/import/</c>), 5,000 per request.</summary>
    public static async Task<List<ProvisionedDevice>> ImportDevicesAsync(PlatformClient client, int count, string prefix, int parallel = 2, string? application = null)
    {
        var started = Stopwatch.GetTimestamp();
        var chunks = Enumerable.Range(0, count).Chunk(5000).ToList();
        var results = new ProvisionedDevice[count];
        var done = 0;
        // Low priority: in a real fleet the importer is another machine, not a rival of the devices for these cores.
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallel, TaskScheduler = LowPriorityScheduler.Shared };
        await Parallel.ForEachAsync(chunks, options, async (chunk, _) =>
        {
            var body = new { application, devices = chunk.Select(i => new { name = $"{prefix}-{i}" }) };
            var response = await client.PostAsync("/v2/devices/import/", body);
            while (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is { } wait)
            {
                // The silo's import queue is full (it imports one at a time): try again when it says.
                response.Dispose();
                await Task.Delay(wait);
                response = await client.PostAsync("/v2/devices/import/", body);
            }

            using var answer = response;
            Tenant.Require(response, HttpStatusCode.Created);
            var imported = (await PlatformClient.ReadJsonAsync(response)).AsArray();
            for (var i = 0; i < chunk.Length; i++)
            {
                results[chunk[i]] = new ProvisionedDevice(imported[i]!["id"]!.GetValue<string>(), imported[i]!["password"]!.GetValue<string>());
            }

            var total = Interlocked.Add(ref done, chunk.Length);
            if (total % 50_000 < 5000 || total == count)
            {
                Progress.Line($"imported {total:N0} / {count:N0} devices ({total / Stopwatch.GetElapsedTime(started).TotalSeconds:N0}/s)");
            }
        });
        return [.. results];
    }

    /// <summary>Creates actions through <c>POST /v2/actions/</c> with <paramref name="workers"/> concurrent clients.</summary>
    public static async Task<ConcurrentDictionary<long, (int Device, int Level)>> CreateActionsAsync(
        PlatformClient client, IReadOnlyList<ProvisionedDevice> devices, IReadOnlyList<int> levels, int workers = 64)
    {
        var started = Stopwatch.GetTimestamp();
        var created = new ConcurrentDictionary<long, (int, int)>();
        var work = Enumerable.Range(0, devices.Count).SelectMany(d => levels.Select((level, i) => (Device: d, Level: level, Type: $"cfg{i}")));
        var done = 0;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = workers }, async (item, _) =>
        {
            using var response = await client.PostAsync("/v2/actions/", new
            {
                device = new { id = devices[item.Device].Id },
                type = item.Type,
                service_level = item.Level,
                payload = new { setting = item.Device },
            });
            Tenant.Require(response, HttpStatusCode.Created);
            created[(await PlatformClient.ReadJsonAsync(response))["id"]!.GetValue<long>()] = (item.Device, item.Level);
            var total = Interlocked.Increment(ref done);
            if (total % 20_000 == 0)
            {
                Progress.Line($"created {total:N0} actions ({total / Stopwatch.GetElapsedTime(started).TotalSeconds:N0}/s)");
            }
        });
        Progress.Line($"created {created.Count:N0} actions in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s");
        return created;
    }
}
