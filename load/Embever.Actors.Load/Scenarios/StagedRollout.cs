using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Device;
using Embever.Actors.Device.Link;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Report;
using Embever.Actors.Load.Runner;
using Microsoft.AspNetCore.Http;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// A staged firmware rollout to a sleepy fleet (docs/rollouts.md). N simulated devices wake every
/// few seconds, each at its own moment, and play the protocol as firmware does
/// (<see cref="SimulatedDevice"/>: take the <c>_fota</c>, download the image, answer); a chosen
/// share of them answer Failure, as devices whose new image does not boot. The deployment goes out
/// in groups with a success gate, an error threshold and pacing. Once a second the harness reads
/// the deployment, prints each group live and keeps the counts; a receiver on loopback takes the
/// deployment's webhooks. The report draws the groups over time (<see cref="RolloutPlot"/>) and
/// checks the rules from the outside: the gates, the pacing, the abort, the webhooks.
/// </summary>
public static class StagedRollout
{
    private static readonly string[] Told = ["group_started", "group_completed", "paused", "aborted", "completed"];

    public sealed record Settings(
        int Devices,
        IReadOnlyList<int> Groups,
        double FailureRate,
        double SuccessThreshold,
        double ErrorThreshold,
        int MaxPerMinute,
        TimeSpan WakeInterval,
        TimeSpan Limit,
        int ImageBytes,
        string ReceiverHost,
        int MaxInFlight)
    {
        /// <summary>What the rules make of this failure rate: over the error threshold it must abort.</summary>
        public string Expected => FailureRate >= ErrorThreshold ? "aborted" : "completed";
    }

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "rollout");
        var failing = FailingDevices(devices, settings.FailureRate);
        var firmware = await UploadAsync(client, settings.ImageBytes);
        var hooks = new Hooks();
        await using var receiver = await hooks.StartAsync(settings.ReceiverHost);
        var gateway = client.Targets[0];
        using var pool = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { Timeout = TimeSpan.FromSeconds(60) };
        var simulated = devices.Select(d => new SimulatedDevice(
            new HttpDeviceLink(pool, gateway, d.Id, d.Password), null, _ => failing.Contains(d.Id) ? "Failure" : "Success")).ToArray();
        run.Note($"{devices.Count:N0} devices waking every {settings.WakeInterval.TotalSeconds:N0} s ({devices.Count / settings.WakeInterval.TotalSeconds:N0} wakeups/s); " +
            $"{failing.Count:N0} of them ({settings.FailureRate:P1}) answer their update with Failure; expected: {settings.Expected}.");

        run.StartMeasuring();
        hooks.Start = Stopwatch.GetTimestamp();
        using var created = await client.PostAsync("/v2/deployments/", new
        {
            devices = devices.Select(d => d.Id),
            firmware,
            rollout = new
            {
                groups = settings.Groups,
                success_threshold = settings.SuccessThreshold,
                error_threshold = settings.ErrorThreshold,
                max_per_minute = settings.MaxPerMinute,
                update_timeout_seconds = 3600,
            },
            webhooks = Told.Select(status => new { status, url = $"http://{settings.ReceiverHost}:{receiver.Port}/hook" }),
        });
        Tenant.Require(created, HttpStatusCode.Created);
        var deployment = await PlatformClient.ReadJsonAsync(created);
        var id = deployment["id"]!.GetValue<long>();
        var sizes = deployment["groups"]!.AsArray().Select(g => g!["size"]!.GetValue<int>()).ToList();
        var timeline = new RolloutTimeline(sizes, [Sample(run, deployment)], hooks.Marks);
        run.Rollout = timeline;

        // The fleet wakes until the rollout is over (or the limit): N devices per interval, each at its own moment.
        using var stop = new CancellationTokenSource();
        var received = new ConcurrentDictionary<string, bool>();
        var fleet = Task.Run(() => WakeAsync(run, simulated, devices, received, settings, stop.Token));
        await using (Progress.Live(run, "wakeups", "wakeup", "wakeup-with-update"))
        {
            await WatchAsync(run, client, id, timeline, settings);
        }

        await stop.CancelAsync();
        await fleet;
        run.StopMeasuring();

        // What the last step told is on its way: give its webhooks up to half a minute.
        var last = timeline.Samples[^1];
        var told = last.Groups.Count(g => g.Started) * 2 + (last.Status is "completed" or "aborted" ? 1 : 0);
        for (var waited = 0; waited < 300 && hooks.Told < told; waited++)
        {
            await Task.Delay(100);
        }

        Report(run, timeline, hooks, devices, received, failing, settings);
    }

    /// <summary>Every device whose image fails: the first share of a fixed shuffle, so a rate gives the same devices each run.</summary>
    private static HashSet<string> FailingDevices(List<ProvisionedDevice> devices, double rate)
    {
        var shuffled = devices.Select(d => d.Id).ToArray();
        new Random(2026).Shuffle(shuffled);
        return [.. shuffled.Take((int)Math.Round(rate * shuffled.Length))];
    }

    private static async Task<string> UploadAsync(PlatformClient client, int bytes)
    {
        var image = new byte[bytes];
        new Random(7).NextBytes(image);
        using var response = await client.PostAsync("/v2/firmwares/", new
        {
            version = "3.0.0",
            alias = "rollout",
            dest = "APP",
            file = "data:application/octet-stream;base64," + Convert.ToBase64String(image),
        });
        Tenant.Require(response, HttpStatusCode.Created);
        return (await PlatformClient.ReadJsonAsync(response))["id"]!.GetValue<string>();
    }

    private static async Task WakeAsync(
        LoadRun run, SimulatedDevice[] simulated, List<ProvisionedDevice> devices, ConcurrentDictionary<string, bool> received, Settings settings, CancellationToken stop)
    {
        var awake = new int[simulated.Length];
        var perSecond = simulated.Length / settings.WakeInterval.TotalSeconds;
        var count = (long)(perSecond * settings.Limit.TotalSeconds);

        // Each device's moment in the cycle is its place in a fixed shuffle, not its place in the
        // list: a group's devices wake spread over the whole interval, as a real fleet's do.
        var order = Enumerable.Range(0, simulated.Length).ToArray();
        new Random(1127).Shuffle(order);
        await OpenLoop.RunAsync(count, perSecond, settings.MaxInFlight, async (index, due) =>
        {
            var i = order[index % simulated.Length];

            // A device still busy with its last wakeup (a slow server) skips this one, as firmware would.
            if (stop.IsCancellationRequested || Interlocked.Exchange(ref awake[i], 1) == 1)
            {
                return;
            }

            try
            {
                var wakeup = await simulated[i].WakeAsync([]);
                var update = wakeup.Actions.Any(a => a["type"]!.GetValue<string>() == "_fota");
                run.Recorder(update ? "wakeup-with-update" : "wakeup").Record(due);
                if (update)
                {
                    received[devices[i].Id] = true;
                }
            }
            catch (Exception exception) when (exception is GatewayException or HttpRequestException or TaskCanceledException)
            {
                run.Recorder("wakeup").Error(exception is GatewayException ? exception.Message.Split(' ')[0] : exception.GetType().Name);
            }
            finally
            {
                Volatile.Write(ref awake[i], 0);
            }
        }, stop);
    }

    /// <summary>Reads the deployment once a second until it is over and nothing is in flight, printing its groups every two seconds.</summary>
    private static async Task WatchAsync(LoadRun run, PlatformClient client, long id, RolloutTimeline timeline, Settings settings)
    {
        var printed = 0.0;
        while (run.SinceMeasuring < settings.Limit)
        {
            using var response = await client.GetAsync($"/v2/deployments/{id}/");
            Tenant.Require(response, HttpStatusCode.OK);
            var sample = Sample(run, await PlatformClient.ReadJsonAsync(response));
            timeline.Samples.Add(sample);
            if (sample.Second - printed >= 2)
            {
                printed = sample.Second;
                Progress.Line($"[blue]rollout[/] {sample.Second:N0}s [bold]{sample.Status}[/]  " + string.Join("  ", sample.Groups.Select((g, i) =>
                    $"g{i + 1} [green]{g.Successful:N0}✓[/] [red]{g.Failed:N0}✗[/] {g.InFlight:N0}⋯ [grey]{g.Held:N0} held[/]")));
            }

            // Over: its end decided, nothing in flight, and every started group called completed
            // (which the deployment does once the step that ended it is carried out).
            if (sample.Status is not ("running" or "paused") && sample.Groups.All(g => g.Pending == 0 && (g.Completed || !g.Started)))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        run.Note($"The limit of {settings.Limit.TotalSeconds:N0} s ended the run before the rollout was over.");
    }

    /// <summary>The deployment resource as a sample: its status and each group's counts.</summary>
    private static RolloutSample Sample(LoadRun run, JsonNode deployment) => new(
        Math.Round(run.SinceMeasuring.TotalSeconds, 1),
        deployment["status"]!.GetValue<string>(),
        deployment["groups"]!.AsArray().Select(g => new GroupCounts(
            g!["successful"]!.GetValue<int>(), g["failed"]!.GetValue<int>(), g["pending"]!.GetValue<int>(), g["held"]!.GetValue<int>(),
            g["started_at"] is not null, g["completed_at"] is not null)).ToList());

    private static void Report(
        LoadRun run, RolloutTimeline timeline, Hooks hooks, List<ProvisionedDevice> devices, ConcurrentDictionary<string, bool> received, HashSet<string> failing, Settings settings)
    {
        var samples = timeline.Samples;
        var last = samples[^1];
        var sizes = timeline.GroupSizes;
        run.Figures["seconds_to_end"] = last.Second;
        run.Figures["successful"] = last.Groups.Sum(g => g.Successful);
        run.Figures["failed"] = last.Groups.Sum(g => g.Failed);
        run.Figures["devices_that_received_the_update"] = received.Count;
        run.Figures["webhooks_received"] = hooks.Marks.Count;
        for (var group = 0; group < sizes.Count; group++)
        {
            if (samples.FirstOrDefault(s => s.Groups[group].Started) is { } started)
            {
                run.Figures[$"group_{group + 1}_started_s"] = started.Second;
            }

            if (samples.FirstOrDefault(s => s.Groups[group].Started && s.Groups[group].Pending == 0) is { } done)
            {
                run.Figures[$"group_{group + 1}_done_s"] = done.Second;
            }
        }

        run.Check($"the rollout ended {settings.Expected}", last.Status == settings.Expected, $"status {last.Status} after {last.Second:N0} s");

        // Gates: a group starts only once the group before has the success threshold (its first sample started, the one before it successful enough).
        var gates = new List<string>();
        for (var group = 1; group < sizes.Count; group++)
        {
            var index = samples.FindIndex(s => s.Groups[group].Started);
            if (index >= 0)
            {
                var before = samples[index].Groups[group - 1];
                gates.Add(before.Successful >= (settings.SuccessThreshold * sizes[group - 1]) - 1e-9
                    ? $"group {group + 1} after {before.Successful:N0}/{sizes[group - 1]:N0}"
                    : $"group {group + 1} EARLY at {before.Successful:N0}/{sizes[group - 1]:N0}");
            }
        }

        run.Check("each group started only once the group before reached the success threshold", !gates.Any(g => g.Contains("EARLY", StringComparison.Ordinal)), gates.Count == 0 ? "only the first group started" : string.Join("; ", gates));

        // Pacing: the releases (devices no longer held) in any 58 s between two samples, while it ran.
        var running = samples.Where(s => s.Status is "running" or "paused").ToList();
        var most = 0;
        for (var i = 0; i < running.Count; i++)
        {
            for (var j = i; j < running.Count && running[j].Second - running[i].Second <= 58; j++)
            {
                most = Math.Max(most, Released(running[j], sizes) - Released(running[i], sizes));
            }
        }

        var first = running.Count > 0 ? Released(running[0], sizes) : 0;
        run.Figures["most_released_in_a_minute"] = Math.Max(most, first);
        run.Check("no more than max_per_minute released in any minute", Math.Max(most, first) <= settings.MaxPerMinute, $"at most {Math.Max(most, first):N0} (max_per_minute {settings.MaxPerMinute:N0})");

        // Only started groups' devices ever had the update; at the end nothing is in flight.
        var groupOf = devices.Select((d, i) => (d.Id, Group: GroupOf(i, sizes))).ToDictionary(p => p.Id, p => p.Group);
        var outside = received.Keys.Count(d => !last.Groups[groupOf[d]].Started);
        run.Check("no device of a group that never started received the update", outside == 0, $"{outside:N0} did");
        run.Check("every update finished", last.Groups.All(g => g.Pending == 0), $"{last.Groups.Sum(g => g.Pending):N0} unfinished");
        if (settings.Expected == "completed")
        {
            var successful = last.Groups.Sum(g => g.Successful);
            run.Check("every healthy device updated", successful == devices.Count - failing.Count, $"{successful:N0} successful of {devices.Count - failing.Count:N0} healthy");
        }
        else
        {
            var notSent = devices.Count - received.Count;
            run.Check("the abort withdrew what was not sent", notSent > 0 && last.Groups.Sum(g => g.Failed) >= notSent, $"{notSent:N0} devices never got the update; {last.Groups.Sum(g => g.Failed):N0} failed");
        }

        // Webhooks: a start and a completion for every group that started, and the end, each once.
        var startedGroups = Enumerable.Range(1, sizes.Count).Where(g => last.Groups[g - 1].Started).ToList();
        var expected = startedGroups.Select(g => $"group_started {g}").Concat(startedGroups.Select(g => $"group_completed {g}")).Append(settings.Expected).Order().ToList();
        var told = hooks.Marks.Select(m => m.Group is { } g ? $"{m.Event} {g}" : m.Event).Where(t => !t.StartsWith("paused", StringComparison.Ordinal)).Order().ToList();
        run.Check("each group's start and completion and the end were told by webhook, once", expected.SequenceEqual(told), string.Join(", ", told));
    }

    private static int Released(RolloutSample sample, List<int> sizes) => sample.Groups.Select((g, i) => g.Started ? sizes[i] - g.Held : 0).Sum();

    private static int GroupOf(int index, List<int> sizes)
    {
        for (var group = 0; group < sizes.Count; group++)
        {
            index -= sizes[group];
            if (index < 0)
            {
                return group;
            }
        }

        return sizes.Count - 1;
    }

    /// <summary>The deployment's webhook receiver: answers 200 and marks what was told, in seconds since the deployment was asked for.</summary>
    private sealed class Hooks
    {
        public long Start { get; set; }

        public List<RolloutMark> Marks { get; } = [];

        /// <summary>The webhooks received so far, pauses aside.</summary>
        public int Told
        {
            get
            {
                lock (Marks)
                {
                    return Marks.Count(m => m.Event != "paused");
                }
            }
        }

        public Task<WebhookListener> StartAsync(string host)
        {
            var seen = new ConcurrentDictionary<string, bool>();
            return WebhookListener.StartAsync(host, async request =>
            {
                var body = await JsonNode.ParseAsync(request.Body);
                var delivery = request.Headers["X-Webhook-Delivery"].ToString();

                // A delivery retried after its answer was lost comes again with the same id: count it once.
                if (body is not null && seen.TryAdd(delivery, true))
                {
                    var mark = new RolloutMark(
                        Math.Round(Stopwatch.GetElapsedTime(Start).TotalSeconds, 1), body["event"]!.GetValue<string>(), body["group"]?.GetValue<int>());
                    lock (Marks)
                    {
                        Marks.Add(mark);
                    }

                    Progress.Line($"[yellow]webhook[/] {mark.Event}{(mark.Group is { } g ? " " + g.ToString(CultureInfo.InvariantCulture) : "")} at {mark.Second:N1} s");
                }

                return Results.Ok();
            });
        }
    }
}
