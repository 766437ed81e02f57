using System.Diagnostics;
using System.Net;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Embever.Actors.Webhooks;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// A receiver that hangs, hooked under two spellings of its URL, cannot starve an organisation's
/// healthy receiver: the spellings are one target, which holds at most its share of the
/// organisation's slots, is cut at the attempt timeout and has its circuit opened.
/// </summary>
public sealed class HangingReceiverTests(ITestOutputHelper output)
{
    private const int Events = 10_000;
    private const int PerWake = 200;

    [Fact]
    public async Task Two_spellings_of_a_hanging_receiver_are_one_target_and_leave_the_healthy_receiver_its_pace()
    {
        await using var hanging = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        hanging.Hold();
        // The shipped webhook timing (the test defaults retry a hanging receiver every half second).
        var shipped = new WebhookOptions();
        await using var platform = await PlatformInstance.StartAsync(await StoreUnderTest.CreateAsync(StoreKind.Sqlite), [
            .. PlatformFixture.FastArguments,
            $"--Embever:Webhooks:AttemptTimeout={shipped.AttemptTimeout}", $"--Embever:Webhooks:TotalTimeout={shipped.TotalTimeout}",
            $"--Embever:Webhooks:RetryBaseDelay={shipped.RetryBaseDelay}", $"--Embever:Webhooks:SweepInterval={shipped.SweepInterval}",
            $"--Embever:Webhooks:CircuitOpenFor={shipped.CircuitOpenFor}"]);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));

        // Warmed up; then alone, then beside the two spellings of the hanging receiver: the healthy one's delays.
        await DelaysAsync(platform, session, healthy, "warm", [], PerWake * 5);
        var alone = await DelaysAsync(platform, session, healthy, "alone", []);
        var beside = await DelaysAsync(platform, session, healthy, "beside", [$"http://127.0.0.1:{hanging.Port}/a", $"HTTP://127.0.0.1:{hanging.Port}/b?spelled=differently"]);

        var share = shipped.PerTargetShare;
        output.WriteLine($"healthy receiver, {Events:N0} events each run: alone p50 {Percentile(alone, 0.5):N0} ms, p99 {Percentile(alone, 0.99):N0} ms; " +
            $"beside a hanging one under two spellings p50 {Percentile(beside, 0.5):N0} ms, p99 {Percentile(beside, 0.99):N0} ms; " +
            $"the hanging receiver had at most {hanging.MostOpen} requests open (share {share})");
        Assert.Equal(Events, beside.Count);
        Assert.InRange(hanging.MostOpen, 1, share);
        Assert.True(Percentile(beside, 0.99) < 10_000, "the healthy receiver waited for the hanging one");
    }

    /// <summary>Sends <paramref name="events"/> events from a new device hooked to the healthy receiver (and <paramref name="others"/>); each delivery's delay from its wake.</summary>
    private static async Task<List<double>> DelaysAsync(PlatformInstance platform, ApiSession session, WebhookReceiver healthy, string path, string[] others, int events = Events)
    {
        var hooks = others.Select(url => new { type = "t", url }).Append(new { type = "t", url = healthy.Url(path) }).ToArray();
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new { name = $"hooked-{path}", webhooks = hooks }), HttpStatusCode.Created);
        var device = new DeviceSimulator(platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>());
        var sent = new Dictionary<long, DateTime>();
        for (var wake = 0; wake < events / PerWake; wake++)
        {
            var at = DateTime.UtcNow;
            foreach (var id in (await device.WakeAsync(events: Enumerable.Range(0, PerWake).Select(i => (object)new { type = "t", payload = new { i } }))).EventIds)
            {
                sent[id] = at;
            }

            await Task.Delay(100);
        }

        var received = await healthy.WaitForAsync(path, events, TimeSpan.FromSeconds(90));
        return received.GroupBy(r => r.Json!["id"]!.GetValue<long>()).Select(g => (g.Min(r => r.At) - sent[g.Key]).TotalMilliseconds).ToList();
    }

    private static double Percentile(List<double> values, double p) => values.Order().ElementAt(Math.Min(values.Count - 1, (int)(p * values.Count)));
}
