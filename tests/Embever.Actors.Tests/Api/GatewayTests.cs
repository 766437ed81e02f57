using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>The device gateway driven the way a device uses it, with actions created through the API.</summary>
public abstract class GatewayTests(PlatformFixture fixture)
{
    private async Task<(ApiSession Session, DeviceSimulator Device)> NewDeviceAsync(string name = "device")
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        return (session, await DeviceSimulator.CreateAsync(fixture, session, name));
    }

    private static long Id(System.Text.Json.Nodes.JsonNode action) => action["id"]!.GetValue<long>();

    [Fact]
    public async Task A_service_level_0_action_is_finished_when_sent_and_sent_once()
    {
        var (session, device) = await NewDeviceAsync();
        var action = await session.CreateActionAsync(new { device = new { id = device.Id }, type = "setSettings", payload = new { someSetting = 54 } });
        Assert.False(action["finished"]!.GetValue<bool>());
        Assert.Empty(action["status"]!.AsObject());

        var first = await device.WakeAsync();
        var sent = Assert.Single(first.Actions);
        Assert.Equal(Id(action), sent["id"]!.GetValue<long>());
        Assert.Equal("setSettings", sent["type"]!.GetValue<string>());
        Assert.Equal(54, sent["payload"]!["someSetting"]!.GetValue<int>());
        Assert.Equal(0, sent["service_level"]!.GetValue<int>());
        Assert.Empty((await device.WakeAsync()).Actions);

        var stored = await session.GetActionAsync(Id(action));
        Assert.True(stored["finished"]!.GetValue<bool>());
        Assert.NotNull(stored["status"]!["action_sent"]);
        Assert.Equal(1, stored["send_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_service_level_1_action_is_resent_until_acknowledged()
    {
        var (session, device) = await NewDeviceAsync();
        var id = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "reboot", service_level = 1 }));
        Assert.Equal([id], (await device.WakeAsync()).ActionIds);
        Assert.Equal([id], (await device.WakeAsync()).ActionIds);
        Assert.Empty((await device.WakeAsync(acks: [id])).ActionIds);

        var stored = await session.GetActionAsync(id);
        Assert.True(stored["finished"]!.GetValue<bool>());
        Assert.Equal(2, stored["send_count"]!.GetValue<int>());
        Assert.NotNull(stored["status"]!["action_delivered"]);
    }

    [Fact]
    public async Task A_service_level_2_action_blocks_a_newer_one_of_its_type_until_it_is_answered()
    {
        var (session, device) = await NewDeviceAsync();
        var first = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "getPosition", service_level = 2 }));
        Assert.Equal([first], (await device.WakeAsync()).ActionIds);
        var second = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "getPosition", service_level = 2 }));

        Assert.Equal([first], (await device.WakeAsync(acks: [first])).ActionIds);
        var answered = await device.WakeAsync(responses: [new { action = first, result = new { lat = 52.1, lon = 11.6 }, result_code = "Success" }]);
        Assert.Equal([second], answered.ActionIds);

        var stored = await session.GetActionAsync(first);
        Assert.True(stored["finished"]!.GetValue<bool>());
        Assert.Equal(52.1, stored["result"]!["lat"]!.GetValue<double>());
        Assert.Equal("Success", stored["result_code"]!.GetValue<string>());
        Assert.NotNull(stored["status"]!["response_received"]);
        Assert.False((await session.GetActionAsync(second))["finished"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Cancelling_an_in_flight_action_unblocks_its_type()
    {
        var (session, device) = await NewDeviceAsync();
        var blocking = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "getTemp", service_level = 2 }));
        await device.WakeAsync();
        var waiting = Id(await session.CreateActionAsync(new { device = new { name = "device" }, type = "getTemp", service_level = 2 }));

        var cancelled = await ApiSession.Json(await session.Patch($"/v2/actions/{blocking}/", new { cancelled = true }), HttpStatusCode.OK);
        Assert.True(cancelled["cancelled"]!.GetValue<bool>());
        Assert.True(cancelled["finished"]!.GetValue<bool>());
        Assert.Equal([waiting], (await device.WakeAsync()).ActionIds);

        // Cancelling again, or cancelling a finished action, changes nothing.
        var again = await ApiSession.Json(await session.Patch($"/v2/actions/{blocking}/", new { cancelled = true }), HttpStatusCode.OK);
        Assert.Equal(cancelled.ToJsonString(), again.ToJsonString());
        await ApiSession.Problem(await session.Patch($"/v2/actions/{blocking}/", new { cancelled = false }), HttpStatusCode.BadRequest);
        await ApiSession.Problem(await session.Patch($"/v2/actions/{waiting}/", new { cancelled = true, type = "x" }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_newer_action_overrides_the_buffered_one_of_its_type()
    {
        var (session, device) = await NewDeviceAsync();
        var older = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "setSettings", payload = new { v = 1 } }));
        var newer = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "setSettings", payload = new { v = 2 } }));

        var overridden = await session.GetActionAsync(older);
        Assert.True(overridden["finished"]!.GetValue<bool>());
        Assert.Equal(newer, overridden["result"]!["overridden_by"]!.GetValue<long>());
        Assert.NotNull(overridden["status"]!["action_overridden"]);
        var sent = Assert.Single((await device.WakeAsync()).Actions);
        Assert.Equal(2, sent["payload"]!["v"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_action_expires_at_its_expiry_time_without_a_wakeup()
    {
        var (session, device) = await NewDeviceAsync();
        var expiry = DateTime.UtcNow.AddSeconds(2).ToString("O");
        var id = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "shortLived", expiry_date = expiry }));

        var expired = await Eventually(async () => await session.GetActionAsync(id), a => a["expired"]!.GetValue<bool>(), TimeSpan.FromSeconds(30));
        Assert.True(expired["finished"]!.GetValue<bool>());
        Assert.Null(expired["status"]!["action_sent"]);
        Assert.Empty((await device.WakeAsync()).Actions);
    }

    [Fact]
    public async Task Repeated_acks_and_responses_change_nothing()
    {
        var (session, device) = await NewDeviceAsync();
        var id = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "measure", service_level = 2 }));
        await device.WakeAsync();
        await device.WakeAsync(acks: [id], responses: [new { action = id, result = new { v = 1 }, result_code = "Success" }]);
        var before = (await session.GetActionAsync(id)).ToJsonString();

        var repeated = await device.WakeAsync(acks: [id], responses: [new { action = id, result = new { v = 2 }, result_code = "Failure" }]);
        Assert.Empty(repeated.Rejected);
        Assert.Equal(before, (await session.GetActionAsync(id)).ToJsonString());
    }

    [Fact]
    public async Task Another_devices_and_unknown_action_ids_are_rejected_and_the_rest_applies()
    {
        var (session, device) = await NewDeviceAsync("mine");
        var other = await DeviceSimulator.CreateAsync(fixture, session, "other");
        var foreign = Id(await session.CreateActionAsync(new { device = new { id = other.Id }, type = "x", service_level = 1 }));
        await other.WakeAsync();
        var mine = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "y", service_level = 1 }));
        await device.WakeAsync();

        var exchange = await device.WakeAsync(acks: [foreign, 987654321, mine]);
        Assert.Contains((foreign, "unknown action"), exchange.Rejected);
        Assert.Contains((987654321L, "unknown action"), exchange.Rejected);
        Assert.True((await session.GetActionAsync(mine))["finished"]!.GetValue<bool>());
        Assert.False((await session.GetActionAsync(foreign))["finished"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Events_are_stored_listed_and_their_ids_returned()
    {
        var (session, device) = await NewDeviceAsync();
        var exchange = await device.WakeAsync(events: [new { type = "temp", payload = new { celsius = 21.5 } }, new { type = "battery", payload = new { capacity = 73 } }]);
        Assert.Equal(2, exchange.EventIds.Count);

        var temp = await ApiSession.Json(await session.Get($"/v2/events/{exchange.EventIds[0]}/"), HttpStatusCode.OK);
        Assert.Equal(device.Id, temp["device"]!.GetValue<string>());
        Assert.Equal("temp", temp["type"]!.GetValue<string>());
        Assert.Equal(21.5, temp["payload"]!["celsius"]!.GetValue<double>());
        var batteries = (await ApiSession.Json(await session.Get($"/v2/events/?type=battery&device={device.Id}"), HttpStatusCode.OK)).AsArray();
        Assert.Equal([exchange.EventIds[1]], batteries.Select(e => e!["id"]!.GetValue<long>()));

        var seen = await ApiSession.Json(await session.Get($"/v2/devices/{device.Id}/"), HttpStatusCode.OK);
        Assert.NotNull(seen["last_seen_at"]?.GetValue<string>());
    }

    [Fact]
    public async Task Wrong_credentials_are_401_without_saying_whether_the_device_exists()
    {
        var (_, device) = await NewDeviceAsync();
        var http = fixture.Platform.CreateClient();
        async Task<string> Try(string credentials)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/exchange") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            return problem["detail"]!.GetValue<string>();
        }

        Assert.Equal(await Try($"{device.Id}:wrong-password"), await Try("NoSuchDv:wrong-password"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/gateway/v1/exchange", new StringContent("{}"))).StatusCode);
    }

    [Fact]
    public async Task A_getFile_action_stores_the_file_and_the_device_downloads_it_resuming_with_range()
    {
        var (session, device) = await NewDeviceAsync();
        // 45,000 bytes: as a base64 data: URI (60,000 characters) within the 64 KiB payload limit.
        var content = Enumerable.Range(0, 45_000).Select(i => (byte)(i * 31 % 251)).ToArray();
        var action = await session.CreateActionAsync(new
        {
            device = new { id = device.Id },
            type = "getFile",
            service_level = 2,
            payload = new { file = "data:application/octet-stream;base64," + Convert.ToBase64String(content), kwargs = new { path = "/etc/app.bin" } },
        });
        var fileId = action["payload"]!["file"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9]{8}$", fileId);
        Assert.Equal("/etc/app.bin", action["payload"]!["kwargs"]!["path"]!.GetValue<string>());

        var sent = Assert.Single((await device.WakeAsync()).Actions);
        Assert.Equal(fileId, sent["payload"]!["file"]!.GetValue<string>());
        await device.WakeAsync(fileTransfers: [new { action = Id(action), status = "started" }]);

        var first = await device.DownloadAsync(fileId, 0, 29_999);
        Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
        var head = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(30_000, head.Length);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        Assert.Equal(sha, first.Headers.GetValues("X-Content-SHA256").Single());
        Assert.Equal($"\"{sha}\"", first.Headers.ETag!.Tag);

        var rest = await device.DownloadAsync(fileId, 30_000);
        Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
        Assert.Equal($"bytes 30000-44999/45000", rest.Content.Headers.ContentRange!.ToString());
        var tail = await rest.Content.ReadAsByteArrayAsync();
        Assert.Equal(content, head.Concat(tail).ToArray());

        var whole = await device.DownloadAsync(fileId);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());
        var outside = await device.DownloadAsync(fileId, 80_000);
        var problem = await ApiSession.Problem(outside, HttpStatusCode.RequestedRangeNotSatisfiable);
        Assert.Contains("bytes", problem["detail"]!.GetValue<string>());
        Assert.StartsWith("bytes */", outside.Content.Headers.ContentRange?.ToString() ?? outside.Headers.GetValues("Content-Range").Single());

        await device.WakeAsync(fileTransfers: [new { action = Id(action), status = "complete" }], responses: [new { action = Id(action), result = new { ok = true } }]);
        var stored = await session.GetActionAsync(Id(action));
        Assert.NotNull(stored["status"]!["file_transfer_started"]);
        Assert.NotNull(stored["status"]!["file_transfer_complete"]);
        Assert.True(stored["finished"]!.GetValue<bool>());

        // Another device may not download it, and nobody without credentials.
        var stranger = await DeviceSimulator.CreateAsync(fixture, session, "stranger");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.DownloadAsync(fileId)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Platform.CreateClient().GetAsync($"/gateway/v1/files/{fileId}")).StatusCode);
    }

    [Fact]
    public async Task Malformed_exchanges_are_400_and_change_nothing()
    {
        var (session, device) = await NewDeviceAsync();
        var id = Id(await session.CreateActionAsync(new { device = new { id = device.Id }, type = "x", service_level = 1 }));
        foreach (var body in new object[]
                 {
                     new { acks = "all" }, new { acks = new object[] { "1" } }, new { events = new[] { new { payload = 1 } } },
                     new { responses = new[] { new { action = id, result_code = "Maybe" } } }, new { file_transfers = new[] { new { action = id, status = "paused" } } },
                     new { unknown = 1 },
                 })
        {
            var response = await device.SendAsync(body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var action = await session.GetActionAsync(id);
        Assert.Empty(action["status"]!.AsObject());
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/events/"), HttpStatusCode.OK)).AsArray());
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
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

[Collection(SqlitePlatformCollection.Name)]
public sealed class GatewayOnSqlite(SqlitePlatformFixture fixture) : GatewayTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class GatewayOnPostgres(PostgresPlatformFixture fixture) : GatewayTests(fixture);
