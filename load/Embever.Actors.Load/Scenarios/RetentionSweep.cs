using System.Diagnostics;
using System.Net;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// Expired events deleted beside a wake storm: <c>Events</c> events are stored; after a minute to
/// settle a steady storm runs alone for 30 s; then the organisation's event retention is cut to a second (the silo must run
/// with <c>Embever:Retention:Minimum</c> and <c>SweepInterval</c> of a second) and the storm goes
/// on beside the sweeper for <c>Beside</c>; then the sweep finishes alone. Figures: the deletion
/// rate beside the storm and alone, and the storm's exchange p99 beside the sweep against alone
/// (the sweep may cost at most 10 %).
/// </summary>
public static class RetentionSweep
{
    public sealed record Settings(long Events, int Devices, int PerExchange, int StormDevices, double StormRate, int MaxInFlight, TimeSpan Beside);

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        run.Parameters["events"] = settings.Events.ToString("N0");
        run.Parameters["storm"] = $"{settings.StormDevices:N0} devices, {settings.StormRate:N0} exchanges/s";
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "sweep");
        await EventPages.FillAsync(run, client, devices, settings.Events, settings.PerExchange);
        var storm = await SteadyStorm.DevicesAsync(client, settings.StormDevices);

        using var organisations = await client.GetAsync("/v2/organisations/");
        var organisation = (await PlatformClient.ReadJsonAsync(organisations)).AsArray().Single()!["id"]!.GetValue<string>();

        // The store settles after the fill first (PostgreSQL's checkpoint and autovacuum of millions of
        // new rows would otherwise land in the storm's "alone").
        Progress.Line("letting the store settle for 60 s");
        await Task.Delay(TimeSpan.FromSeconds(60));
        run.StartMeasuring();
        Progress.Line($"storm alone: {settings.StormRate:N0} exchanges/s for 30 s");
        await using (Progress.Live(run, "storm alone", "exchange (storm alone)"))
        {
            await SteadyStorm.RunAsync(run, client, storm, settings.StormRate, settings.MaxInFlight, "exchange (storm alone)", Task.Delay(TimeSpan.FromSeconds(30)));
        }

        // The newest event before the cut: the sweep walks oldest first, so once it is gone all are.
        // (Polled by id: a list would count ten million rows a second beside the storm.)
        using var newest = await client.GetAsync("/v2/events/?order=-created_at&limit=1");
        var last = (await PlatformClient.ReadJsonAsync(newest)).AsArray().Single()!["id"]!.GetValue<long>();
        var first = await OldestAsync(client);
        using (var patched = await client.PatchAsync($"/v2/organisations/{organisation}/", new { retention = new { events = "PT1S" } }))
        {
            Tenant.Require(patched, HttpStatusCode.OK);
        }

        // The storm beside the sweep for a while; then what was deleted meanwhile (one count).
        var started = Stopwatch.GetTimestamp();
        var swept = SweptAsync(client, last);
        await using (Progress.Live(run, "storm beside the sweep", "exchange (storm beside the sweep)"))
        {
            await SteadyStorm.RunAsync(run, client, storm, settings.StormRate, settings.MaxInFlight, "exchange (storm beside the sweep)",
                Task.WhenAny(swept, Task.Delay(settings.Beside)));
        }

        // Deleted meanwhile: the sweep goes oldest first, and the stored events' ids follow one
        // another (one silo hands them out in order), so the oldest id left tells how far it came.
        // (X-Total-Count is an estimate on PostgreSQL.)
        var besideSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var deletedBeside = swept.IsCompleted ? settings.Events : Math.Clamp(await OldestAsync(client) - first, 0, settings.Events);
        var remaining = settings.Events - deletedBeside;
        Progress.Line($"beside the storm: {deletedBeside:N0} events deleted in {besideSeconds:N0} s; {remaining:N0} left, swept alone now");

        // The rest alone: the sweep goes at full speed once no device waits.
        var aloneStarted = Stopwatch.GetTimestamp();
        await swept;
        var aloneSeconds = Stopwatch.GetElapsedTime(aloneStarted).TotalSeconds;
        run.StopMeasuring();

        var alone = run.Recorder("exchange (storm alone)").Summarize(TimeSpan.FromSeconds(30));
        var beside = run.Recorder("exchange (storm beside the sweep)").Summarize(TimeSpan.FromSeconds(besideSeconds));
        run.Figures["deleted_per_second_beside_storm"] = deletedBeside / besideSeconds;
        run.Figures["deleted_per_second_alone"] = remaining / Math.Max(aloneSeconds, 0.001);
        run.Figures["sweep_seconds"] = besideSeconds + aloneSeconds;
        run.Figures["storm_alone_p99_ms"] = alone.P99;
        run.Figures["storm_beside_sweep_p99_ms"] = beside.P99;
        run.Figures["storm_beside_sweep_over_alone"] = beside.P99 / alone.P99;
        Progress.Line($"swept {settings.Events:N0} events: {deletedBeside / besideSeconds:N0}/s beside the storm, {remaining / Math.Max(aloneSeconds, 0.001):N0}/s alone; storm p99 {alone.P99:N1} ms alone, {beside.P99:N1} ms beside the sweep");
        run.Check("storm: exchange p99 beside the sweep ≤ 1.1 × alone", beside.P99 <= 1.1 * alone.P99 && beside.Errors == 0,
            $"{beside.P99:N1} ms against {alone.P99:N1} ms ({beside.P99 / alone.P99:N2}×), {beside.Errors:N0} errors");
    }

    /// <summary>The id of the oldest event stored.</summary>
    private static async Task<long> OldestAsync(PlatformClient client)
    {
        using var response = await client.GetAsync("/v2/events/?limit=1");
        return (await PlatformClient.ReadJsonAsync(response)).AsArray().Single()!["id"]!.GetValue<long>();
    }

    /// <summary>Done when the newest event before the cut is gone; a line every 10 s.</summary>
    private static async Task SweptAsync(PlatformClient client, long last)
    {
        var started = Stopwatch.GetTimestamp();
        var line = started;
        while (true)
        {
            using var response = await client.GetAsync($"/v2/events/{last}/");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            if (Stopwatch.GetElapsedTime(line) > TimeSpan.FromSeconds(10))
            {
                line = Stopwatch.GetTimestamp();
                Progress.Line($"sweeping for {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
