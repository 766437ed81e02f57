using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Device;
using Embever.Actors.Device.Link;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Measure;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// The CoAP gateway against the HTTP one, in one run against one baseline (docs/gateway-protocol.md):
/// <list type="number">
/// <item>bytes on the wire per standard wakeup — one event; three actions out (service levels 0,
/// 1 and 2); their acks and a response — played by <see cref="SimulatedDevice"/> over each
/// transport and form, with and without the security layer (TLS, DTLS), counted as the
/// transports hand them to their sockets (for the IP and UDP/TCP headers see load/run-coap.sh);</item>
/// <item>plain exchanges (<c>{}</c>) per second, closed loop, <c>Workers</c> clients for
/// <c>Duration</c> each: HTTP, CoAP/JSON, CoAP/CBOR and CoAP/CBOR over DTLS. Each CoAP worker
/// owns its devices' links (their DTLS sessions made before the phase) and waits for each answer
/// on a thread of its own, as a device would.</item>
/// </list>
/// </summary>
public static class CoapWakeups
{
    /// <summary>A <paramref name="Duration"/> of zero measures the bytes of a wakeup only.</summary>
    public sealed record Settings(int Workers, TimeSpan Duration, Uri Coap, Uri Coaps, Uri? Https);

    private sealed record Transport(string Name, Func<ProvisionedDevice, IDeviceLink> Open);

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        run.Parameters["workers"] = settings.Workers.ToString("N0");
        var http = client.Targets[0];
        var transports = new List<Transport>
        {
            new("HTTP/JSON", d => new HttpDeviceLink(http, d.Id, d.Password)),
        };
        if (settings.Https is { } https)
        {
            transports.Add(new("HTTPS/JSON", d => new HttpDeviceLink(https, d.Id, d.Password)));
        }

        transports.AddRange(
        [
            new("CoAP/JSON", d => DeviceLinks.Open(settings.Coap, d.Id, d.Password)),
            new("CoAP/CBOR", d => DeviceLinks.Open(settings.Coap, d.Id, d.Password, cbor: true)),
            new("CoAPS/JSON", d => DeviceLinks.Open(settings.Coaps, d.Id, d.Password)),
            new("CoAPS/CBOR", d => DeviceLinks.Open(settings.Coaps, d.Id, d.Password, cbor: true)),
        ]);

        var wireDevices = await Provisioning.ImportDevicesAsync(client, transports.Count, "wire");
        var fleet = await Provisioning.ImportDevicesAsync(client, settings.Workers * 4, "coap");
        run.StartMeasuring();

        int[] ports = [http.Port, settings.Coap.Port, settings.Coaps.Port, .. settings.Https is { } secured ? [secured.Port] : Array.Empty<int>()];
        for (var i = 0; i < transports.Count; i++)
        {
            await MeasureWakeupAsync(run, client, transports[i], wireDevices[i], ports);
        }

        if (!run.Figures.ContainsKey("wire_coap_json_wakeup1_ip_bytes"))
        {
            run.Note("tcpdump could not capture: bytes are counted as the transports handed them to their sockets, without IP and UDP/TCP headers");
        }

        var phases = new (string Name, string Recorder, Func<ProvisionedDevice, IDeviceLink> Open)[]
        {
            ("CoAP/JSON", "coap-json-exchange", d => DeviceLinks.Open(settings.Coap, d.Id, d.Password)),
            ("CoAP/CBOR", "coap-cbor-exchange", d => DeviceLinks.Open(settings.Coap, d.Id, d.Password, cbor: true)),
            ("CoAPS/CBOR", "coaps-cbor-exchange", d => DeviceLinks.Open(settings.Coaps, d.Id, d.Password, cbor: true)),
        };
        if (settings.Duration <= TimeSpan.Zero)
        {
            run.StopMeasuring();
            return;
        }

        var httpRate = await HttpPhaseAsync(run, client, fleet, settings);
        run.Figures["http_exchanges_per_second"] = httpRate;
        foreach (var (name, recorder, open) in phases)
        {
            var rate = await CoapPhaseAsync(run, fleet, settings, name, recorder, open);
            var key = name.ToLowerInvariant().Replace('/', '_');
            run.Figures[$"{key}_exchanges_per_second"] = rate;
            run.Figures[$"{key}_over_http"] = rate / httpRate;
        }

        run.StopMeasuring();
        run.Figures["health_requests_per_second"] = run.Baseline?.RequestsPerSecond ?? double.NaN;
        var errors = run.Recorders.Sum(r => r.Errors);
        run.Check("every exchange answered", errors == 0, $"{errors:N0} errors");
    }

    /// <summary>Creates three actions (levels 0, 1, 2), then plays one wakeup with one event (and a second one, after the session is made, for DTLS).</summary>
    private static async Task MeasureWakeupAsync(LoadRun run, PlatformClient client, Transport transport, ProvisionedDevice device, int[] ports)
    {
        var key = transport.Name.ToLowerInvariant().Replace('/', '_');
        await using var handshakeCapture = await PacketCapture.StartAsync(ports);
        using var link = transport.Open(device);
        if (handshakeCapture is not null && link.Wire.Total > 0)
        {
            var (packets, onWire) = await handshakeCapture.StopAsync();
            run.Figures[$"wire_{key}_handshake_ip_bytes"] = onWire;
            run.Figures[$"wire_{key}_handshake_packets"] = packets;
        }

        var handshake = link.Wire.Total;
        var simulated = new SimulatedDevice(link);
        for (var round = 1; round <= 2; round++)
        {
            foreach (var level in new[] { 0, 1, 2 })
            {
                using var created = await client.PostAsync("/v2/actions/", new { device = new { id = device.Id }, type = $"set{level}", payload = new { interval = 3600, level }, service_level = level });
                Tenant.Require(created, HttpStatusCode.Created);
            }

            // The API's answers to those creations are acknowledged late (delayed ACKs): not the device's packets.
            await Task.Delay(250);
            var before = link.Wire.Snapshot();
            await using var capture = await PacketCapture.StartAsync(ports);
            var gps = new JsonObject { ["type"] = "gps", ["payload"] = new JsonObject { ["lat"] = 52.5200066, ["lon"] = 13.4049540, ["alt"] = 34.2, ["speed"] = 0, ["fix"] = 3 } };
            var wakeup = await simulated.WakeAsync([gps]);

            // The wakeup ends as a sleepy device's does: its TCP connection closed (a DTLS session stays).
            link.Wake();
            var after = link.Wire.Snapshot();
            if (capture is not null)
            {
                var (packets, onWire) = await capture.StopAsync();
                run.Figures[$"wire_{key}_wakeup{round}_ip_bytes"] = onWire;
                run.Figures[$"wire_{key}_wakeup{round}_packets"] = packets;
                Progress.Line($"{transport.Name} wakeup {round}: {packets} packets, [bold]{onWire:N0} B[/] with IP and UDP/TCP headers");
            }

            if (wakeup.Actions.Count != 3)
            {
                run.Note($"{transport.Name}: a wakeup received {wakeup.Actions.Count} actions, not 3");
            }

            var bytes = (after.Sent - before.Sent) + (after.Received - before.Received);
            run.Figures[$"wire_{key}_wakeup{round}_bytes"] = bytes;
            Progress.Line($"{transport.Name} wakeup {round}: [bold]{bytes:N0} B[/] as sent to and read from the socket ({after.Sent - before.Sent:N0} sent, {after.Received - before.Received:N0} received)");
        }

        if (handshake > 0)
        {
            run.Figures[$"wire_{key}_handshake_bytes"] = handshake;
        }
    }

    private static async Task<double> HttpPhaseAsync(LoadRun run, PlatformClient client, IReadOnlyList<ProvisionedDevice> fleet, Settings settings)
    {
        var recorder = run.Recorder("http-exchange");
        var turns = new long[settings.Workers];
        var started = Stopwatch.GetTimestamp();
        await using (Progress.Live(run, "HTTP/JSON {}", recorder.Name))
        {
            await OpenLoop.ClosedAsync(settings.Workers, settings.Duration, async (worker, due) =>
            {
                var device = fleet[worker + (settings.Workers * (int)(turns[worker]++ % 4))];
                try
                {
                    using var response = await client.ExchangeAsync(device.Id, device.Password, Wakeups.PlainBody);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        recorder.Record(due);
                    }
                    else
                    {
                        recorder.Error($"HTTP {(int)response.StatusCode}");
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    recorder.Error(exception.GetType().Name);
                }
            });
        }

        return Summarize(run, recorder, "HTTP/JSON {}", Stopwatch.GetElapsedTime(started), settings.Workers);
    }

    private static async Task<double> CoapPhaseAsync(
        LoadRun run, IReadOnlyList<ProvisionedDevice> fleet, Settings settings, string name, string recorderName, Func<ProvisionedDevice, IDeviceLink> open)
    {
        // Sessions first (DTLS handshakes are not what this phase measures), a few at a time.
        var links = new IDeviceLink[fleet.Count];
        await Parallel.ForAsync(0, fleet.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (i, _) =>
        {
            links[i] = open(fleet[i]);
            return ValueTask.CompletedTask;
        });
        var recorder = run.Recorder(recorderName);
        var until = Stopwatch.GetTimestamp() + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await using (Progress.Live(run, $"{name} {{}}", recorder.Name))
        {
            var threads = Enumerable.Range(0, settings.Workers).Select(worker => new Thread(() =>
            {
                for (var turn = 0; Stopwatch.GetTimestamp() < until; turn++)
                {
                    var link = links[worker + (settings.Workers * (turn % 4))];
                    var due = Stopwatch.GetTimestamp();
                    try
                    {
                        link.ExchangeAsync([]).GetAwaiter().GetResult();
                        recorder.Record(due);
                    }
                    catch (GatewayException exception)
                    {
                        recorder.Error(exception.Message.Split(' ')[0]);
                    }
                }
            }) { IsBackground = true, Name = $"coap-worker-{worker}" }).ToList();
            threads.ForEach(t => t.Start());
            await Task.Run(() => threads.ForEach(t => t.Join()));
        }

        foreach (var link in links)
        {
            link.Dispose();
        }

        return Summarize(run, recorder, $"{name} {{}}", Stopwatch.GetElapsedTime(started), settings.Workers);
    }

    private static double Summarize(LoadRun run, Measure.LatencyRecorder recorder, string label, TimeSpan elapsed, int workers)
    {
        run.OperationTime(recorder.Name, elapsed);
        var summary = recorder.Summarize(elapsed);
        Progress.Line($"{Spectre.Console.Markup.Escape(label)}: [bold]{summary.PerSecond:N0} exchanges/s[/], p50 {summary.P50:N2} ms, p99 {summary.P99:N2} ms, {summary.Errors:N0} errors ({workers} workers, {elapsed.TotalSeconds:N1} s)");
        return summary.PerSecond;
    }
}
