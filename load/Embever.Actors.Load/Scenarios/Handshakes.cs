using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Device.Link;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// DTLS at fleet scale (docs/device-protocols.md): simulated devices in this process (async
/// <see cref="DtlsClientHandshake"/>, a UDP socket each, no process per device) shake hands with
/// the gateway and make one CoAP exchange, at each concurrency of <c>Levels</c>, closed loop.
/// Per level: handshakes/s, p50/p99 of handshake plus exchange, the silo's CPU per handshake,
/// sessions held ÷ handshakes completed and heap per held session (both from
/// <c>GET /v2/diagnostics/</c> after a full collection). <c>SaveSessions</c> writes every session
/// made, as the devices keep them; <c>Resume</c> reads such a file (after the silo restarted) and
/// wakes every device once with its kept session: how many needed a handshake after all.
/// </summary>
public static class Handshakes
{
    /// <summary>
    /// <paramref name="SiloPid"/>: read the silo's CPU time from /proc (a silo on this machine
    /// whose diagnostics do not report it: an older build). <paramref name="RoundTrip"/>: a
    /// simulated radio link (each datagram a device sends waits that long), so that "at once"
    /// means handshakes in flight on a slow link rather than a closed loop on loopback, whose
    /// latency at full load is the concurrency over the rate (Little's law).
    /// </summary>
    public sealed record Settings(int Devices, int[] Levels, int PerLevel, Uri Coaps, string? SaveSessions, string? Resume, int ResumeWorkers, int? SiloPid, TimeSpan RoundTrip);

    private sealed record Kept(string Id, string Password, string Session);

    public static async Task RunAsync(LoadRun run, PlatformClient client, PlatformClient operatorClient, Settings settings)
    {
        var gateway = new IPEndPoint(IPAddress.Parse(settings.Coaps.Host), settings.Coaps.Port);
        if (settings.Resume is { } resume)
        {
            await ResumeAsync(run, gateway, resume, settings.ResumeWorkers);
            return;
        }

        run.Parameters["levels"] = string.Join(", ", settings.Levels);
        run.Parameters["handshakes per level"] = settings.PerLevel.ToString("N0");
        run.Parameters["simulated round trip"] = $"{settings.RoundTrip.TotalMilliseconds:N0} ms";
        var fleet = await Provisioning.ImportDevicesAsync(client, settings.Devices, "dtls");
        var kept = new ConcurrentBag<Kept>();
        run.StartMeasuring();
        foreach (var level in settings.Levels)
        {
            var before = await DiagnosticsAsync(operatorClient, collect: true);
            before["cpu_seconds"] = Cpu(before, settings.SiloPid);
            var recorder = run.Recorder($"handshake-{level}");
            var next = -1;
            var completed = 0;
            var started = Stopwatch.GetTimestamp();
            await using (Progress.Live(run, $"{level} at once", recorder.Name))
            {
                await Task.WhenAll(Enumerable.Range(0, level).Select(worker => Task.Run(async () =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < settings.PerLevel)
                    {
                        var device = fleet[i % fleet.Count];
                        var due = Stopwatch.GetTimestamp();
                        using var socket = Connect(gateway, worker);
                        try
                        {
                            var session = await DtlsClientHandshake.ConnectAsync(socket, device.Id, Encoding.UTF8.GetBytes(device.Password), connectionId: true, TimeSpan.FromSeconds(30), roundTrip: settings.RoundTrip);
                            var code = await DtlsSessionExchange.PostAsync(socket, session, "{}", roundTrip: settings.RoundTrip);
                            if (code?.Class == 2)
                            {
                                recorder.Record(due);
                                Interlocked.Increment(ref completed);
                                if (settings.SaveSessions is not null)
                                {
                                    kept.Add(new Kept(device.Id, device.Password, session.ToJson()));
                                }
                            }
                            else
                            {
                                recorder.Error(code is null ? "no answer" : $"CoAP {code}");
                            }
                        }
                        catch (Exception exception) when (exception is TimeoutException or System.Security.Authentication.AuthenticationException or SocketException)
                        {
                            recorder.Error(exception.GetType().Name);
                        }
                    }
                })));
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var after = await DiagnosticsAsync(operatorClient, collect: false);
            after["cpu_seconds"] = Cpu(after, settings.SiloPid);
            var collected = await DiagnosticsAsync(operatorClient, collect: true);
            run.OperationTime(recorder.Name, elapsed);
            var summary = recorder.Summarize(elapsed);
            var held = Held(collected) - Held(before);
            var cpuMs = (after["cpu_seconds"]!.GetValue<double>() - before["cpu_seconds"]!.GetValue<double>()) * 1000 / Math.Max(1, completed);
            var heapPerSession = held > 0 ? (collected["gc_heap_bytes"]!.GetValue<long>() - before["gc_heap_bytes"]!.GetValue<long>()) / (double)held : double.NaN;
            run.Figures[$"handshakes_{level}_per_second"] = summary.PerSecond;
            run.Figures[$"handshakes_{level}_p50_ms"] = summary.P50;
            run.Figures[$"handshakes_{level}_p99_ms"] = summary.P99;
            run.Figures[$"handshakes_{level}_silo_cpu_ms"] = cpuMs;
            if (before["dtls"] is not null)
            {
                // An older build's diagnostics do not count sessions.
                run.Figures[$"handshakes_{level}_held_over_completed"] = held / (double)Math.Max(1, completed);
                run.Figures[$"handshakes_{level}_heap_bytes_per_session"] = heapPerSession;
            }

            Progress.Line($"{level} at once: [bold]{summary.PerSecond:N0} handshakes/s[/] (with one exchange each), p50 {summary.P50:N1} ms, p99 {summary.P99:N1} ms, " +
                $"silo CPU {cpuMs:N2} ms each, held {held:N0} of {completed:N0}, heap {heapPerSession:N0} B a session, {summary.Errors:N0} errors");
            run.Check($"{level} at once: every handshake completed and its session held", summary.Errors == 0 && (before["dtls"] is null || held == completed), $"{summary.Errors:N0} errors, {held:N0} held of {completed:N0}");
        }

        run.StopMeasuring();
        var last = await DiagnosticsAsync(operatorClient, collect: true);
        run.Figures["sessions_held"] = Held(last);
        run.Figures["working_set_mb"] = last["working_set_bytes"]!.GetValue<long>() / 1024.0 / 1024.0;
        if (settings.SaveSessions is { } path)
        {
            await File.WriteAllLinesAsync(path, kept.Select(k => JsonSerializer.Serialize(k)));
            Progress.Line($"{kept.Count:N0} sessions kept in {path}");
        }
    }

    /// <summary>Every kept session wakes once after the silo restarted: answered with it, or a handshake needed.</summary>
    private static async Task ResumeAsync(LoadRun run, IPEndPoint gateway, string path, int workers)
    {
        var kept = (await File.ReadAllLinesAsync(path)).Select(line => JsonSerializer.Deserialize<Kept>(line)!).ToList();
        run.Parameters["kept sessions"] = kept.Count.ToString("N0");
        var handshakes = 0;
        var next = -1;
        run.StartMeasuring();
        var recorder = run.Recorder("resumed-exchange");
        var started = Stopwatch.GetTimestamp();
        await using (Progress.Live(run, "wakeups with kept sessions", recorder.Name))
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < kept.Count)
                {
                    var device = kept[i];
                    var session = DtlsClientSession.FromJson(device.Session);
                    using var socket = Connect(gateway, i);
                    var due = Stopwatch.GetTimestamp();
                    if ((await DtlsSessionExchange.PostAsync(socket, session, "{}"))?.Class == 2)
                    {
                        recorder.Record(due);
                        continue;
                    }

                    Interlocked.Increment(ref handshakes);
                    recorder.Error("handshake needed");
                }
            })));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        run.StopMeasuring();
        run.OperationTime(recorder.Name, elapsed);
        var summary = recorder.Summarize(elapsed);
        run.Figures["resumed_sessions"] = summary.Count;
        run.Figures["resume_handshakes_needed"] = handshakes;
        run.Figures["resume_exchanges_per_second"] = summary.PerSecond;
        run.Figures["resume_p99_ms"] = summary.P99;
        Progress.Line($"{summary.Count:N0} of {kept.Count:N0} devices went on with their session ({summary.PerSecond:N0}/s, p99 {summary.P99:N1} ms); [bold]{handshakes:N0} needed a handshake[/]");
        run.Check("no kept session needed a handshake", handshakes == 0, $"{handshakes:N0} of {kept.Count:N0}");
    }

    /// <summary>
    /// A UDP socket to the gateway. On loopback each worker sends from an address of its own
    /// (127.1.x.y, a few per /24), as devices do from the field: the gateway's per-address and
    /// per-prefix bounds on handshakes under way stay as shipped.
    /// </summary>
    private static Socket Connect(IPEndPoint gateway, int worker)
    {
        var socket = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (IPAddress.IsLoopback(gateway.Address) && gateway.AddressFamily == AddressFamily.InterNetwork)
        {
            socket.Bind(new IPEndPoint(new IPAddress([127, 1, (byte)(worker % 250), (byte)(1 + worker / 250 % 250)]), 0));
        }

        socket.Connect(gateway);
        return socket;
    }

    private static double Cpu(JsonNode diagnostics, int? pid)
    {
        if (pid is not { } process)
        {
            return diagnostics["cpu_seconds"]?.GetValue<double>() ?? double.NaN;
        }

        // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second), after the command's closing parenthesis.
        var stat = File.ReadAllText($"/proc/{process}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long Held(JsonNode diagnostics) => diagnostics["dtls"]?["sessions_held"]?.GetValue<long>() ?? 0;

    private static async Task<JsonNode> DiagnosticsAsync(PlatformClient operatorClient, bool collect)
    {
        using var response = await operatorClient.GetAsync($"/v2/diagnostics/?collect={(collect ? "true" : "false")}");
        response.EnsureSuccessStatusCode();
        return (await PlatformClient.ReadJsonAsync(response))!;
    }
}
