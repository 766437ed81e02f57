using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;
using Microsoft.AspNetCore.Http;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// Do webhooks keep pace with the devices? Devices send one event per exchange, each firing one
/// webhook to a receiver on loopback in this process, which measures the delivery latency from
/// the moment the device sent the event to the receiver's answer. Three phases:
/// <list type="number">
/// <item>saturating: events offered faster than the platform takes them (open model); how many of
/// the webhooks fired while the devices were busy were delivered while they were busy;</item>
/// <item>half: at half the rate phase 1 reached; the delivery latency;</item>
/// <item>fan-out: a few events on devices with 100 hooks each, so that the platform does little
/// but deliver; deliveries per second from the first event to the last delivery.</item>
/// </list>
/// Every webhook fired must arrive.
/// </summary>
public static class Webhooks
{
    private const int FanOutHooks = 100;

    public sealed record Settings(int Devices, double? Rate, TimeSpan Duration, int FanOutDeliveries, int MaxInFlight, string ReceiverHost);

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        var receiver = new Receiver(run);
        await using var server = await receiver.StartAsync(settings.ReceiverHost);
        var url = $"http://{settings.ReceiverHost}:{server.Port}/hook";
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "hooked");
        await HookAsync(client, devices, [new { type = "reading", url, payload_only = true }]);
        var fanEvents = Math.Max(1, settings.FanOutDeliveries / FanOutHooks);
        var fanDevices = await Provisioning.ImportDevicesAsync(client, Math.Min(20, fanEvents), "fan-out");
        await HookAsync(client, fanDevices, Enumerable.Range(0, FanOutHooks).Select(k => (object)new { type = "reading", url = $"{url}/{k}", payload_only = true }).ToArray());

        // Each device's first exchange activates its grain; not measured.
        await Parallel.ForEachAsync(devices.Concat(fanDevices), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (device, _) =>
        {
            using var response = await client.ExchangeAsync(device.Id, device.Password, "{}");
            Tenant.Require(response, HttpStatusCode.OK);
        });

        run.StartMeasuring();
        await using (Progress.Live(run))
        {
            // 1: saturating.
            var offered = settings.Rate ?? 4000;
            run.Parameters["offered_events_per_s"] = offered.ToString("N0");
            var saturating = await EventPhaseAsync(run, client, receiver, devices, "saturating", offered, settings);
            var busy = receiver.ArrivedBetween("saturating", saturating.Start, saturating.End);
            run.Figures["saturating_events_per_second"] = saturating.Accepted / saturating.Busy.TotalSeconds;
            run.Figures["saturating_deliveries_per_second_while_busy"] = busy / saturating.Busy.TotalSeconds;
            run.Figures["saturating_delivered_while_busy_percent"] = 100.0 * busy / Math.Max(1, saturating.Accepted);
            await receiver.DrainAsync(run, "saturating", saturating.Accepted);
            run.OperationTime("delivery-saturating", Stopwatch.GetElapsedTime(saturating.Start, receiver.LastArrival("saturating")));
            run.Check(
                "at saturation, at least 90 % of the webhooks fired while the devices were busy were delivered while they were busy",
                busy >= 0.9 * saturating.Accepted,
                $"{busy:N0} of {saturating.Accepted:N0} ({100.0 * busy / Math.Max(1, saturating.Accepted):N1} %) within the {saturating.Busy.TotalSeconds:N1} s the devices were busy");

            // 2: half the rate phase 1 reached.
            var halfRate = Math.Max(1, saturating.Accepted / saturating.Busy.TotalSeconds / 2);
            run.Parameters["half_events_per_s"] = halfRate.ToString("N0");
            var half = await EventPhaseAsync(run, client, receiver, devices, "half", halfRate, settings);
            run.Figures["half_events_per_second"] = half.Accepted / half.Busy.TotalSeconds;
            await receiver.DrainAsync(run, "half", half.Accepted);
            run.OperationTime("delivery-half", Stopwatch.GetElapsedTime(half.Start, receiver.LastArrival("half")));
            var halfDelivery = run.Recorder("delivery-half").Summarize(half.Busy);
            run.Figures["half_delivery_p50_ms"] = halfDelivery.P50;
            run.Figures["half_delivery_p99_ms"] = halfDelivery.P99;
            run.Check("at half the saturating rate the delivery p99 is under 1 s", halfDelivery.P99 < 1000, $"p50 {halfDelivery.P50:N1} ms, p99 {halfDelivery.P99:N1} ms");

            // 3: fan-out, the platform doing little but deliver.
            var fanOut = await FanOutPhaseAsync(run, client, receiver, fanDevices, fanEvents);
            run.Figures["fan_out_deliveries_per_second"] = fanOut;
            run.Check("at least 5,000 deliveries/s to a loopback receiver when the platform does little else", fanOut >= 5000, $"{fanOut:N0} deliveries/s");
        }

        run.StopMeasuring();
    }

    private sealed record PhaseResult(long Accepted, long Start, long End)
    {
        public TimeSpan Busy => Stopwatch.GetElapsedTime(Start, End);
    }

    /// <summary>One event per exchange at <paramref name="rate"/> for the duration (open model); busy until the last exchange is answered.</summary>
    private static async Task<PhaseResult> EventPhaseAsync(
        LoadRun run, PlatformClient client, Receiver receiver, List<ProvisionedDevice> devices, string phase, double rate, Settings settings)
    {
        Progress.Line($"[bold]{phase}[/]: {rate:N0} events/s offered for {settings.Duration.TotalSeconds:N0} s");
        var recorder = run.Recorder($"exchange-{phase}");
        var count = (long)(rate * settings.Duration.TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        await OpenLoop.RunAsync(count, rate, settings.MaxInFlight, async (i, due) =>
        {
            var device = devices[(int)(i % devices.Count)];
            try
            {
                using var response = await client.ExchangeAsync(device.Id, device.Password, Receiver.EventBody(phase, i));
                await response.Content.LoadIntoBufferAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    recorder.Record(due);
                    receiver.Fired(phase);
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
        }, CancellationToken.None);
        var end = Stopwatch.GetTimestamp();
        run.OperationTime(recorder.Name, Stopwatch.GetElapsedTime(start, end));
        return new PhaseResult(receiver.FiredCount(phase), start, end);
    }

    /// <summary>Every fan-out device sends its events at once; deliveries per second from then to the last delivery.</summary>
    private static async Task<double> FanOutPhaseAsync(LoadRun run, PlatformClient client, Receiver receiver, List<ProvisionedDevice> devices, int events)
    {
        Progress.Line($"[bold]fan-out[/]: {events:N0} events × {FanOutHooks} hooks");
        var recorder = run.Recorder("exchange-fan-out");
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, events), new ParallelOptions { MaxDegreeOfParallelism = devices.Count }, async (i, _) =>
        {
            var device = devices[i % devices.Count];
            var due = Stopwatch.GetTimestamp();
            using var response = await client.ExchangeAsync(device.Id, device.Password, Receiver.EventBody("fan-out", i));
            await response.Content.LoadIntoBufferAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                recorder.Record(due);
                for (var k = 0; k < FanOutHooks; k++)
                {
                    receiver.Fired("fan-out");
                }
            }
            else
            {
                recorder.Error($"HTTP {(int)response.StatusCode}");
            }
        });

        var fired = receiver.FiredCount("fan-out");
        await receiver.DrainAsync(run, "fan-out", fired);
        var last = receiver.LastArrival("fan-out");
        var elapsed = Stopwatch.GetElapsedTime(start, last);
        run.OperationTime("delivery-fan-out", elapsed);
        return receiver.ArrivedCount("fan-out") / elapsed.TotalSeconds;
    }

    private static async Task HookAsync(PlatformClient client, List<ProvisionedDevice> devices, object[] webhooks) =>
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (device, _) =>
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/v2/devices/{device.Id}/")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { webhooks }),
            });
            Tenant.Require(response, HttpStatusCode.OK);
        });

    /// <summary>
    /// The webhook receiver: answers 200 at once and records, per phase, each delivery's latency
    /// (from the event's sending, carried in its payload) and when it arrived.
    /// </summary>
    private sealed class Receiver(LoadRun run)
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> arrivals = new();
        private readonly ConcurrentDictionary<string, StrongBox> fired = new();

        public static string EventBody(string phase, long seq) =>
            $"{{\"events\":[{{\"type\":\"reading\",\"payload\":{{\"phase\":\"{phase}\",\"seq\":{seq},\"sent\":{Stopwatch.GetTimestamp()}}}}}]}}";

        public void Fired(string phase) => Interlocked.Increment(ref fired.GetOrAdd(phase, _ => new StrongBox()).Value);

        public long FiredCount(string phase) => fired.TryGetValue(phase, out var box) ? Interlocked.Read(ref box.Value) : 0;

        public long ArrivedCount(string phase) => Arrivals(phase).Count;

        public long ArrivedBetween(string phase, long start, long end) => Arrivals(phase).Count(t => t >= start && t <= end);

        public long LastArrival(string phase) => Arrivals(phase).DefaultIfEmpty(Stopwatch.GetTimestamp()).Max();

        /// <summary>Waits (up to two minutes) until every webhook the phase fired has arrived, and checks that they did.</summary>
        public async Task DrainAsync(LoadRun run, string phase, long expected)
        {
            var deadline = Stopwatch.GetTimestamp() + (120 * Stopwatch.Frequency);
            while (ArrivedCount(phase) < expected && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50);
            }

            run.Check($"every webhook fired in phase {phase} was delivered", ArrivedCount(phase) >= expected, $"{ArrivedCount(phase):N0} delivered of {expected:N0} fired");
        }

        public Task<WebhookListener> StartAsync(string host) => WebhookListener.StartAsync(host, async request =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            var now = Stopwatch.GetTimestamp();
            var phase = body.RootElement.GetProperty("phase").GetString()!;
            var sent = body.RootElement.GetProperty("sent").GetInt64();
            run.Recorder($"delivery-{phase}").Record(Stopwatch.GetElapsedTime(sent, now));
            Arrivals(phase).Enqueue(now);
            return Results.Ok();
        });

        private ConcurrentQueue<long> Arrivals(string phase) => arrivals.GetOrAdd(phase, _ => new ConcurrentQueue<long>());

        private sealed class StrongBox
        {
            public long Value;
        }
    }
}
