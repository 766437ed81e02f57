using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Api;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Crash;

/// <summary>
/// SIGKILL of the silo while it is busy, then a restart on the same store: what was answered
/// as accepted is there, and what the rows say is what the devices are sent.
/// </summary>
public abstract class CrashDurabilityTests(StoreKind kind, ITestOutputHelper output)
{
    private const int Devices = 24;
    private static readonly string[] Types = ["led", "locate", "config"];

    [Fact]
    public async Task Killing_the_silo_in_a_storm_of_exchanges_and_action_creates_loses_nothing_that_was_answered()
    {
        await using var silo = await CrashableSilo.StartAsync(kind);
        var api = await silo.SessionAsync();
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < Devices; i++)
        {
            var device = await api.CreateDeviceAsync($"storm-{i}");
            devices.Add(new DeviceSimulator(silo.BaseAddress, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>()));
        }

        var created = new ConcurrentDictionary<long, string>();
        var acked = new ConcurrentBag<long>();
        var answered = new ConcurrentBag<long>();
        var events = new ConcurrentBag<long>();
        var exchanges = 0;
        var killAt = DateTime.UtcNow.AddSeconds(3);
        var storm = devices.Select(device => Task.Run(async () =>
        {
            var acks = new List<long>();
            var responses = new List<long>();
            for (var round = 0; ; round++)
            {
                try
                {
                    var action = await api.Post("/v2/actions/", new { device = new { id = device.Id }, type = Types[Random.Shared.Next(Types.Length)], service_level = Random.Shared.Next(3) });
                    if (action.StatusCode == HttpStatusCode.Created)
                    {
                        created[(await action.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>()] = device.Id;
                    }
                    else
                    {
                        return;
                    }

                    var response = await device.SendAsync(new
                    {
                        acks,
                        responses = responses.Select(id => new { action = id, result = new { ok = true }, result_code = "Success" }),
                        events = new[] { new { type = "tick", payload = new { round } } },
                    });
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return;
                    }

                    // Answered 200: its acks, responses and events are accepted.
                    var exchange = new DeviceSimulator.Exchange((await response.Content.ReadFromJsonAsync<JsonNode>())!);
                    Interlocked.Increment(ref exchanges);
                    acks.ForEach(acked.Add);
                    responses.ForEach(answered.Add);
                    exchange.EventIds.ToList().ForEach(events.Add);
                    acks = exchange.Actions.Where(a => a["service_level"]!.GetValue<int>() >= 1).Select(a => a["id"]!.GetValue<long>()).ToList();
                    responses = exchange.Actions.Where(a => a["service_level"]!.GetValue<int>() == 2).Select(a => a["id"]!.GetValue<long>()).ToList();
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    return;
                }
            }
        })).ToList();
        await Task.Delay(killAt - DateTime.UtcNow);
        silo.Kill();
        await Task.WhenAll(storm);
        output.WriteLine($"before the kill: {created.Count} actions created, {exchanges} exchanges answered, {acked.Count} acks, {answered.Count} responses, {events.Count} events");
        Assert.True(created.Count > Devices && exchanges > Devices, "the storm did not get going before the kill");

        await silo.RestartAsync();
        api = await silo.SessionAsync();
        var rows = await ListAsync(api, "/v2/actions/");
        var byId = rows.ToDictionary(a => a["id"]!.GetValue<long>());
        Assert.All(created.Keys, id => Assert.True(byId.ContainsKey(id), $"action {id} was answered 201 but is gone"));
        Assert.All(acked, id => Assert.True(byId[id]["status"]!["action_delivered"] is not null, $"action {id} was acknowledged in an exchange answered 200 but is not delivered"));
        Assert.All(answered, id => Assert.True(byId[id]["status"]!["response_received"] is not null, $"action {id} was answered in an exchange answered 200 but has no response"));
        var stored = (await ListAsync(api, "/v2/events/")).Select(e => e["id"]!.GetValue<long>()).ToHashSet();
        Assert.All(events, id => Assert.Contains(id, stored));

        var sent = 0;
        foreach (var device in devices)
        {
            var unfinished = rows.Where(a => a["device"]!["id"]!.GetValue<string>() == device.Id && !a["finished"]!.GetValue<bool>()).ToList();
            var buffered = unfinished.Where(a => a["status"]!["action_sent"] is null).ToList();
            Assert.All(buffered.GroupBy(a => a["type"]!.GetValue<string>()), type => Assert.True(type.Count() == 1, $"device {device.Id} has {type.Count()} buffered {type.Key} actions"));

            // What the rows say is unfinished is exactly what the device gets: per type the one in flight, else the buffered one.
            var expected = unfinished.GroupBy(a => a["type"]!.GetValue<string>())
                .Select(type => type.FirstOrDefault(a => a["status"]!["action_sent"] is not null) ?? type.Single())
                .Select(a => a["id"]!.GetValue<long>()).Order().ToList();
            var first = await device.WakeAsync();
            Assert.Equal(expected, first.ActionIds.Order().ToList());
            sent += expected.Count;
            await DrainAsync(device, first);
        }

        rows = await ListAsync(api, "/v2/actions/");
        Assert.All(rows, a => Assert.True(a["finished"]!.GetValue<bool>(), $"action {a["id"]} is still unfinished after the device drained its buffer: {a.ToJsonString()}"));
        output.WriteLine($"after the restart: {rows.Count} actions, {stored.Count} events, {sent} actions sent at the first wakeups; every device drained");
    }

    [Fact]
    public async Task Killing_the_silo_during_a_deployment_fan_out_leaves_all_of_it_or_none_of_it()
    {
        await using var silo = await CrashableSilo.StartAsync(kind);
        var api = await silo.SessionAsync();
        var imported = (await ApiSession.Json(await api.Post("/v2/devices/import/", new { devices = Enumerable.Range(0, 3000).Select(i => new { name = $"fleet-{i:D4}" }) }), HttpStatusCode.Created)).AsArray();
        var ids = imported.Select(d => d!["id"]!.GetValue<string>()).ToList();
        var firmware = (await FirmwareTests.UploadMultipartAsync(api, new byte[4096]))["id"]!.GetValue<string>();

        var deploying = api.Post("/v2/deployments/", new { devices = ids, firmware });
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        silo.Kill();
        var outcome = await Record.ExceptionAsync(() => deploying);
        await silo.RestartAsync();
        api = await silo.SessionAsync();

        var deployments = await ListAsync(api, "/v2/deployments/");
        var updates = await ListAsync(api, "/v2/updates/");
        var fota = (await ListAsync(api, "/v2/actions/?type=_fota")).Where(a => !a["finished"]!.GetValue<bool>()).ToList();
        output.WriteLine($"the POST {(outcome is null ? "was answered" : "got no answer")}; after the restart: {deployments.Count} deployments, {updates.Count} updates, {fota.Count} unfinished _fota actions");
        if (deployments.Count == 0)
        {
            Assert.Empty(updates);
            Assert.Empty(fota);
        }
        else
        {
            Assert.Single(deployments);
            Assert.Equal(ids.Order(), deployments[0]["devices"]!.AsArray().Select(d => d!.GetValue<string>()).Order());
            Assert.Equal(ids.Order(), updates.Select(u => u["device"]!.GetValue<string>()).Order());
            Assert.Equal(ids.Order(), fota.Select(a => a["device"]!["id"]!.GetValue<string>()).Order());
        }

        // Nothing is left half-reserved: the same fleet can be deployed to (again, if it was).
        if (deployments.Count == 0)
        {
            await ApiSession.Json(await api.Post("/v2/deployments/", new { devices = ids, firmware }), HttpStatusCode.Created);
            Assert.Equal(ids.Count, (await ListAsync(api, "/v2/updates/")).Count);
        }
    }

    [Fact]
    public async Task Killing_the_silo_in_the_middle_of_a_staged_rollout_loses_no_step_and_no_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var silo = await CrashableSilo.StartAsync(kind);
        var api = await silo.SessionAsync();
        var firmware = (await FirmwareTests.UploadMultipartAsync(api, new byte[2048]))["id"]!.GetValue<string>();
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < 6; i++)
        {
            var device = await api.CreateDeviceAsync($"rollout-{i}");
            devices.Add(new DeviceSimulator(silo.BaseAddress, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>()));
        }

        string[] statuses = ["group_started", "group_completed", "completed"];
        var deployment = (await ApiSession.Json(
            await api.Post("/v2/deployments/", new
            {
                devices = devices.Select(d => d.Id),
                firmware,
                rollout = new { groups = new[] { 2, 2 } },
                webhooks = statuses.Select(s => new { status = s, url = receiver.Url(s) }),
            }),
            HttpStatusCode.Created))["id"]!.GetValue<long>();

        // Group 1 succeeds, group 2 starts; one of its devices answers — answered, then the kill.
        await UpdateAsync(devices[0]);
        await UpdateAsync(devices[1]);
        await receiver.WaitForAsync("group_started", 2);
        await EventuallyUpdateAsync(devices[2]);
        silo.Kill();

        await silo.RestartAsync();
        api = await silo.SessionAsync();
        var after = devices.Select(d => new DeviceSimulator(silo.BaseAddress, d.Id, d.Password)).ToList();
        var stood = await ApiSession.Json(await api.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        Assert.Equal("running", stood["status"]!.GetValue<string>());
        Assert.Equal(2, stood["groups"]![1]!["successful"]!.GetValue<int>() + stood["groups"]![1]!["pending"]!.GetValue<int>());
        Assert.Empty((await after[4].WakeAsync()).Actions);

        // The answered update counts; the rest of group 2 and then group 3 go on to the end.
        await EventuallyUpdateAsync(after[3]);
        await EventuallyUpdateAsync(after[4]);
        await EventuallyUpdateAsync(after[5]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonNode done;
        do
        {
            await Task.Delay(100);
            done = await ApiSession.Json(await api.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        }
        while (done["status"]!.GetValue<string>() != "completed" && DateTime.UtcNow < deadline);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(6, done["successful"]!.AsArray().Count);

        // Every step told, none twice (a delivery sent again after the kill has the same id).
        await receiver.WaitForAsync("completed", 1);
        string Told(ReceivedWebhook hit) => $"{hit.Json!["event"]} {hit.Json!["group"]}";
        var told = receiver.Received.GroupBy(h => h.Headers["X-Webhook-Delivery"]).Select(g => Told(g.First())).Order().ToList();
        Assert.Equal(["completed ", "group_completed 1", "group_completed 2", "group_completed 3", "group_started 1", "group_started 2", "group_started 3"], told);
    }

    /// <summary>The device takes its <c>_fota</c> and answers it with success.</summary>
    private static async Task UpdateAsync(DeviceSimulator device)
    {
        var action = Assert.Single((await device.WakeAsync()).Actions)["id"]!.GetValue<long>();
        await device.WakeAsync(acks: [action], responses: [new { action, result = new { }, result_code = "Success" }]);
    }

    /// <summary>As <see cref="UpdateAsync"/>, once the deployment has released the device's update.</summary>
    private static async Task EventuallyUpdateAsync(DeviceSimulator device)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<JsonNode> actions;
        do
        {
            actions = (await device.WakeAsync()).Actions;
            if (actions.Count == 0)
            {
                await Task.Delay(100);
            }
        }
        while (actions.Count == 0 && DateTime.UtcNow < deadline);
        var action = Assert.Single(actions)["id"]!.GetValue<long>();
        await device.WakeAsync(acks: [action], responses: [new { action, result = new { }, result_code = "Success" }]);
    }

    private static async Task<List<JsonNode>> ListAsync(ApiSession api, string path)
    {
        var all = new List<JsonNode>();
        var separator = path.Contains('?') ? '&' : '?';
        for (var offset = 0; ; offset += 1000)
        {
            var page = (await ApiSession.Json(await api.Get($"{path}{separator}limit=1000&offset={offset}"), HttpStatusCode.OK)).AsArray();
            all.AddRange(page.Select(n => n!));
            if (page.Count < 1000)
            {
                return all;
            }
        }
    }

    /// <summary>Wakes until the device has nothing left: acknowledging and answering what it gets.</summary>
    private static async Task DrainAsync(DeviceSimulator device, DeviceSimulator.Exchange exchange)
    {
        for (var round = 0; round < 10 && exchange.Actions.Count > 0; round++)
        {
            var acks = exchange.Actions.Where(a => a["service_level"]!.GetValue<int>() >= 1).Select(a => a["id"]!.GetValue<long>()).ToList();
            var responses = exchange.Actions.Where(a => a["service_level"]!.GetValue<int>() == 2)
                .Select(a => (object)new { action = a["id"]!.GetValue<long>(), result = new { ok = true }, result_code = "Success" }).ToList();
            exchange = await device.WakeAsync(acks, responses);
        }

        Assert.Empty(exchange.Actions);
    }
}

[Collection(Cluster.ClusterCollection.Name)]
public sealed class CrashDurabilityOnSqlite(ITestOutputHelper output) : CrashDurabilityTests(StoreKind.Sqlite, output);

[Collection(Cluster.ClusterCollection.Name)]
public sealed class CrashDurabilityOnPostgres(ITestOutputHelper output) : CrashDurabilityTests(StoreKind.PostgreSql, output);
