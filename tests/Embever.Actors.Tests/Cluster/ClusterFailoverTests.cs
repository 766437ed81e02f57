using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Cluster;

/// <summary>
/// Three silo processes on PostgreSQL; one is killed with SIGKILL in the middle of a wake storm.
/// The survivors take over its devices and nothing accepted is lost.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int StormDevices = 60;
    private const int SleepingDevices = 20;

    [Fact]
    public async Task Killing_a_silo_in_a_wake_storm_loses_nothing_and_a_new_silo_takes_load()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = new ClusterClient(cluster);
        var access = await client.AccessTokenAsync(cluster.OrganisationToken());
        var api = await client.AuthenticateAsync(cluster.OrganisationToken());
        async Task<JsonNode> Call(HttpMethod method, string path, object? body, HttpStatusCode expected) => await ApiSession.Json(await api(method, path, body), expected);

        // A fleet: storm devices with an event webhook and three actions each; sleeping devices with an expiring action.
        var storm = new List<ClusterClient.Device>();
        var actions = new Dictionary<long, int>();
        for (var i = 0; i < StormDevices; i++)
        {
            var device = await Call(HttpMethod.Post, "/v2/devices/", new { name = $"storm-{i}", webhooks = new[] { new { type = "tick", url = receiver.Url("ticks") } } }, HttpStatusCode.Created);
            var id = device["id"]!.GetValue<string>();
            storm.Add(new ClusterClient.Device(client, id, device["password"]!.GetValue<string>()));
            foreach (var level in new[] { 0, 1, 2 })
            {
                var action = await Call(HttpMethod.Post, "/v2/actions/", new
                {
                    device = new { id }, type = $"level{level}", service_level = level,
                    webhooks = new[] { new { status = "response_received", url = receiver.Url("responses") } },
                }, HttpStatusCode.Created);
                actions[action["id"]!.GetValue<long>()] = level;
            }
        }

        var file = await Call(HttpMethod.Post, "/v2/actions/", new
        {
            device = new { id = storm[0].Id }, type = "getFile", payload = new { file = "data:application/octet-stream;base64," + Convert.ToBase64String(new byte[40_000]) },
        }, HttpStatusCode.Created);
        actions[file["id"]!.GetValue<long>()] = 0;

        var expiring = new List<long>();
        var expiry = DateTime.UtcNow.AddSeconds(15);
        for (var i = 0; i < SleepingDevices; i++)
        {
            var device = await Call(HttpMethod.Post, "/v2/devices/", new { name = $"asleep-{i}" }, HttpStatusCode.Created);
            var action = await Call(HttpMethod.Post, "/v2/actions/", new { device = new { id = device["id"]!.GetValue<string>() }, type = "ephemeral", expiry_date = expiry.ToString("O") }, HttpStatusCode.Created);
            expiring.Add(action["id"]!.GetValue<long>());
        }

        // The storm: every device wakes again and again through whichever silo; one silo dies on the way.
        var victim = cluster.Silos[2];
        var killer = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            victim.Kill();
        });
        await Parallel.ForEachAsync(storm, new ParallelOptions { MaxDegreeOfParallelism = 30 }, async (device, _) =>
        {
            for (var round = 0; round < 12; round++)
            {
                await device.WakeAsync("tick");
                await Task.Delay(Random.Shared.Next(100, 600));
            }
        });
        await killer;
        await Parallel.ForEachAsync(storm, new ParallelOptions { MaxDegreeOfParallelism = 30 }, async (device, _) =>
        {
            for (var round = 0; round < 10 && await device.WakeAsync() > 0; round++)
            {
            }
        });

        // Every accepted event is stored and delivered to its webhook.
        var accepted = storm.SelectMany(d => d.AcceptedEvents).ToHashSet();
        var stored = new HashSet<long>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = (await Call(HttpMethod.Get, $"/v2/events/?limit=1000&offset={offset}", null, HttpStatusCode.OK)).AsArray();
            stored.UnionWith(page.Select(e => e!["id"]!.GetValue<long>()));
            if (page.Count < 1000)
            {
                break;
            }
        }

        Assert.Subset(stored, accepted);
        var delivered = await WaitForAsync(() => receiver.At("ticks").Select(r => r.Json!["id"]!.GetValue<long>()).ToHashSet(), d => d.IsSupersetOf(accepted));
        Assert.Subset(delivered, accepted);

        // Every action finished exactly once: one response webhook delivery per service level 2 action.
        foreach (var (id, level) in actions)
        {
            var action = await Call(HttpMethod.Get, $"/v2/actions/{id}/", null, HttpStatusCode.OK);
            Assert.True(action["finished"]!.GetValue<bool>(), $"action {id} not finished: {action.ToJsonString()}");
            Assert.NotNull(action["status"]!["action_sent"]);
            if (level == 2)
            {
                Assert.Equal(id, action["result"]!["echo"]!.GetValue<long>());
            }
        }

        var responseDeliveries = await WaitForAsync(
            () => receiver.At("responses").GroupBy(r => r.Json!["id"]!.GetValue<long>()).ToDictionary(g => g.Key, g => g.Select(r => r.Headers["X-Webhook-Delivery"]).Distinct().Count()),
            r => r.Count == StormDevices);
        Assert.Equal(actions.Where(a => a.Value == 2).Select(a => a.Key).Order(), responseDeliveries.Keys.Order());
        Assert.All(responseDeliveries.Values, count => Assert.Equal(1, count));

        // The file accepted before the crash is still there to download.
        var owner = storm[0];
        var download = await client.SendAsync(() =>
        {
            var message = new HttpRequestMessage(HttpMethod.Get, $"/gateway/v1/files/{file["payload"]!["file"]!.GetValue<string>()}");
            message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{owner.Id}:{owner.Password}")));
            return message;
        });
        Assert.Equal(40_000, (await download.Content.ReadAsByteArrayAsync()).Length);

        // Expiry reminders fire, including those of devices whose grains lived on the dead silo.
        foreach (var id in expiring)
        {
            var action = await WaitForAsync(async () => await Call(HttpMethod.Get, $"/v2/actions/{id}/", null, HttpStatusCode.OK), a => a["expired"]!.GetValue<bool>(), TimeSpan.FromSeconds(60));
            Assert.True(action["expired"]!.GetValue<bool>(), $"action {id} did not expire");
        }

        // A new silo joins and serves devices and the API on its own.
        var newcomer = cluster.Launch("silo-3");
        await newcomer.WaitReadyAsync();
        var direct = new ApiSession(new HttpClient { BaseAddress = newcomer.BaseAddress });
        direct.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
        var servedByNewcomer = 0;
        foreach (var device in storm.Take(10))
        {
            var action = await direct.CreateActionAsync(new { device = new { id = device.Id }, type = "welcome" });
            var simulator = new DeviceSimulator(newcomer.BaseAddress, device.Id, device.Password);
            Assert.Equal([action["id"]!.GetValue<long>()], (await simulator.WakeAsync()).ActionIds);
            servedByNewcomer += 2;
        }

        output.WriteLine($"silos: {cluster.Silos.Count} started, {victim.Name} killed, {newcomer.Name} joined");
        output.WriteLine($"requests: {client.Requests}, failed over: {client.Failures.Count} ({string.Join(", ", client.Failures.GroupBy(f => f.Status).Select(g => $"{g.Count()}× {(g.Key == 0 ? "refused" : g.Key)}"))})");
        output.WriteLine($"events accepted: {accepted.Count}, stored: {stored.Count}, webhooks delivered: {delivered.Count}");
        output.WriteLine($"actions finished: {actions.Count}, response webhooks: {responseDeliveries.Count}, expired while asleep: {expiring.Count}");
        output.WriteLine($"requests served by the new silo: {servedByNewcomer}");
        Console.WriteLine($"[cluster failover] requests {client.Requests}, failovers {client.Failures.Count}, events {accepted.Count}/{stored.Count}/{delivered.Count}, actions {actions.Count}, expired {expiring.Count}");
    }

    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan? within = null) =>
        await WaitForAsync(() => Task.FromResult(read()), done, within);

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(250);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster of silo processes";
}
