using System.Diagnostics;
using System.Net;
using System.Text;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;
using Embever.Actors.Platform;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// Reading a large event list incrementally: <c>Events</c> events are stored through the gateway
/// (devices sending <c>PerExchange</c> events an exchange, 8 at once), then pages of 100 are read
/// in an open loop at <c>Rate</c> a second for <c>Duration</c>, one kind after the other: the first
/// page newest first, a page after a cursor at a random depth (newest first), and a page at a
/// random offset (newest first).
/// </summary>
public static class EventPages
{
    public sealed record Settings(long Events, int Devices, int PerExchange, double Rate, TimeSpan Duration);

    private static readonly string[] Kinds = ["newest-first-page", "cursor-page", "offset-page"];

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        run.Parameters["events"] = settings.Events.ToString("N0");
        run.Parameters["events per exchange"] = settings.PerExchange.ToString("N0");
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "pages");
        await FillAsync(run, client, devices, settings.Events, settings.PerExchange);

        // Cursors at random depths: the event at a random offset (found once, not measured) and the
        // platform's cursor for it (the harness shares the platform's code, so it may make one).
        var cursors = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await client.GetAsync($"/v2/events/?order=-created_at&limit=1&offset={Random.Shared.NextInt64(settings.Events - 200)}");
            var row = (await PlatformClient.ReadJsonAsync(response)).AsArray().Single()!;
            var createdAt = Timestamps.ToMicroseconds(row["created_at"]!.GetValue<DateTime>().ToUniversalTime());
            cursors.Add(new PageCursor(createdAt, row["id"]!.GetValue<long>()).Encode());
        }

        Progress.Line($"{cursors.Count} cursors at random depths");
        // One kind at a time, so that slow deep offsets do not queue the others behind them.
        run.StartMeasuring();
        foreach (var kind in Kinds)
        {
            var started = Stopwatch.GetTimestamp();
            await using (Progress.Live(run, kind, kind))
            {
                await OpenLoop.RunAsync((long)(settings.Rate * settings.Duration.TotalSeconds), settings.Rate, 64, async (i, due) =>
                {
                    var path = kind switch
                    {
                        "newest-first-page" => "/v2/events/?order=-created_at&limit=100",
                        "cursor-page" => $"/v2/events/?order=-created_at&limit=100&after={cursors[Random.Shared.Next(cursors.Count)]}",
                        _ => $"/v2/events/?order=-created_at&limit=100&offset={Random.Shared.NextInt64(settings.Events - 100)}",
                    };
                    using var response = await client.GetAsync(path);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        run.Recorder(kind).Record(due);
                    }
                    else
                    {
                        run.Recorder(kind).Error($"HTTP {(int)response.StatusCode}");
                    }
                }, CancellationToken.None);
            }

            var summary = run.Recorder(kind).Summarize(Stopwatch.GetElapsedTime(started));
            run.Figures[$"{kind.Replace('-', '_')}_p50_ms"] = summary.P50;
            run.Figures[$"{kind.Replace('-', '_')}_p99_ms"] = summary.P99;
            Progress.Line($"{kind}: p50 {summary.P50:N1} ms, p99 {summary.P99:N1} ms, {summary.Errors:N0} errors");
            run.Check($"{kind}: no errors", summary.Errors == 0, $"{summary.Errors:N0} errors");
        }

        run.StopMeasuring();
    }

    /// <summary>Stores <paramref name="events"/> events through the devices' exchanges, 8 at a time, with a live count.</summary>
    public static async Task FillAsync(LoadRun run, PlatformClient client, List<ProvisionedDevice> devices, long events, int perExchange)
    {
        var body = new StringBuilder("{\"events\":[");
        for (var i = 0; i < perExchange; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("{\"type\":\"t\",\"payload\":{\"c\":1}}");
        }

        var json = body.Append("]}").ToString();
        var exchanges = (events + perExchange - 1) / perExchange;
        long next = -1, stored = 0;
        var started = Stopwatch.GetTimestamp();
        var recorder = run.Recorder("fill-exchange");
        using var done = new CancellationTokenSource();
        var reporting = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), done.Token).ContinueWith(_ => { });
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                Progress.Line($"stored {Interlocked.Read(ref stored):N0} of {events:N0} events ({Interlocked.Read(ref stored) / seconds:N0}/s)");
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            long i;
            while ((i = Interlocked.Increment(ref next)) < exchanges)
            {
                var device = devices[(int)(i % devices.Count)];
                var due = Stopwatch.GetTimestamp();
                using var response = await client.ExchangeAsync(device.Id, device.Password, json);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    recorder.Record(due);
                    Interlocked.Add(ref stored, perExchange);
                }
                else
                {
                    recorder.Error($"HTTP {(int)response.StatusCode}");
                    Interlocked.Decrement(ref next);
                    await Task.Delay(100);
                }
            }
        })));
        await done.CancelAsync();
        await reporting;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        run.Figures["fill_events_per_second"] = stored / seconds;
        Progress.Line($"stored {stored:N0} events in {seconds:N0} s ({stored / seconds:N0}/s)");
    }
}
