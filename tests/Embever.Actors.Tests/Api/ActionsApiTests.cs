using System.Net;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

public abstract class ActionsApiTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_key_given_twice_is_refused_and_changes_nothing()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var device = await session.CreateDeviceAsync("twice");
        var action = (await session.CreateActionAsync(new { device = new { id = device["id"]!.GetValue<string>() }, type = "kept" }))["id"]!.GetValue<long>();
        await ApiSession.Problem(await session.Send(HttpMethod.Patch, $"/v2/actions/{action}/", "{\"cancelled\": 12345, \"cancelled\": true}"), HttpStatusCode.BadRequest);
        Assert.False((await session.GetActionAsync(action))["cancelled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_created_action_shows_every_documented_field_and_both_device_id_and_name()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var device = await session.CreateDeviceAsync("shown");
        var response = await session.Post("/v2/actions/", new
        {
            device = new { name = "shown" },
            type = "setSettings",
            payload = new { someData = 54 },
            service_level = 1,
            expiry_date = "2099-03-26T17:02:13Z",
            webhooks = new object[] { new { status = "action_sent", url = "https://example.com/sent" }, new { status = "response_received", url = "https://example.com/r", payload_only = true } },
        });
        var action = await ApiSession.Json(response, HttpStatusCode.Created);
        var id = action["id"]!.GetValue<long>();
        Assert.Equal(action["url"]!.GetValue<string>(), response.Headers.Location!.ToString());
        Assert.EndsWith($"/v2/actions/{id}/", action["url"]!.GetValue<string>());
        Assert.Equal(device["id"]!.GetValue<string>(), action["device"]!["id"]!.GetValue<string>());
        Assert.Equal("shown", action["device"]!["name"]!.GetValue<string>());
        Assert.Equal(54, action["payload"]!["someData"]!.GetValue<int>());
        Assert.Equal(1, action["service_level"]!.GetValue<int>());
        Assert.Equal("2099-03-26T17:02:13.000000Z", action["expiry_date"]!.GetValue<string>());
        Assert.False(action["expired"]!.GetValue<bool>());
        Assert.False(action["cancelled"]!.GetValue<bool>());
        Assert.False(action["finished"]!.GetValue<bool>());
        Assert.Null(action["result"]);
        Assert.Null(action["result_code"]);
        Assert.Equal(0, action["send_count"]!.GetValue<int>());
        Assert.Equal("response_received", action["webhooks"]![1]!["status"]!.GetValue<string>());
        Assert.True(action["webhooks"]![1]!["payload_only"]!.GetValue<bool>());
        Assert.Equal(action.ToJsonString(), (await session.GetActionAsync(id)).ToJsonString());
    }

    [Fact]
    public async Task Invalid_actions_are_400_naming_each_field_and_nothing_is_created()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var device = (await session.CreateDeviceAsync("target"))["id"]!.GetValue<string>();
        var cases = new (object Body, string Field)[]
        {
            (new { device = new { id = device } }, "type"),
            (new { device = new { id = device }, type = "" }, "type"),
            (new { device = new { id = device }, type = "_fota" }, "type"),
            (new { device = new { id = device }, type = 5 }, "type"),
            (new { device = new { id = device }, type = "x", service_level = 3 }, "service_level"),
            (new { device = new { id = device }, type = "x", service_level = "1" }, "service_level"),
            (new { device = new { id = device }, type = "x", payload = new[] { 1 } }, "payload"),
            (new { device = new { id = device }, type = "x", webhooks = new[] { new { status = "action_lost", url = "https://e.com" } } }, "webhooks[0].status"),
            (new { device = new { id = device }, type = "x", expiry_date = "2001-01-01T00:00:00Z" }, "expiry_date"),
            (new { device = new { id = device }, type = "x", cancelled = true }, "cancelled"),
            (new { type = "x" }, "device"),
            (new { device = new { }, type = "x" }, "device.id"),
            (new { device = new { id = "NoSuch99" }, type = "x" }, "device"),
            (new { device = new { name = "no-such-name" }, type = "x" }, "device"),
            (new { device = new { id = device, name = "not-its-name" }, type = "x" }, "device"),
            (new { device = new { id = device }, type = "getFile", payload = new { } }, "payload.file"),
            (new { device = new { id = device }, type = "getFile", payload = new { file = "not a data uri" } }, "payload.file"),
            (new { device = new { id = device }, type = "x", colour = "red" }, "colour"),
        };
        foreach (var (body, field) in cases)
        {
            var problem = await ApiSession.Problem(await session.Post("/v2/actions/", body), HttpStatusCode.BadRequest);
            Assert.True(problem["errors"]?[field] is not null, $"{System.Text.Json.JsonSerializer.Serialize(body)} should name {field}: {problem.ToJsonString()}");
        }

        Assert.Empty((await ApiSession.Json(await session.Get("/v2/actions/"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task Lists_filter_by_type_and_device_oldest_first()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var a = (await session.CreateDeviceAsync("a"))["id"]!.GetValue<string>();
        var b = (await session.CreateDeviceAsync("b"))["id"]!.GetValue<string>();
        var ids = new List<long>();
        foreach (var (device, type) in new[] { (a, "t1"), (b, "t1"), (a, "t2") })
        {
            ids.Add((await session.CreateActionAsync(new { device = new { id = device }, type }))["id"]!.GetValue<long>());
        }

        async Task<long[]> Ids(string query) =>
            (await ApiSession.Json(await session.Get($"/v2/actions/{query}"), HttpStatusCode.OK)).AsArray().Select(x => x!["id"]!.GetValue<long>()).ToArray();

        Assert.Equal(ids, await Ids(""));
        Assert.Equal([ids[0], ids[1]], await Ids("?type=t1"));
        Assert.Equal([ids[0], ids[2]], await Ids($"?device={a}"));
        Assert.Equal([ids[1]], await Ids($"?device={b}&type=t1"));
        Assert.Empty(await Ids("?device=nobody"));
    }

    [Fact]
    public async Task Actions_and_events_of_other_tenants_and_other_applications_stay_invisible()
    {
        var (_, admin, _) = await fixture.NewOrganisationAsync();
        var (_, stranger, _) = await fixture.NewOrganisationAsync();
        var mine = (await admin.CreateApplicationAsync("mine"))["id"]!.GetValue<string>();
        var other = (await admin.CreateApplicationAsync("other"))["id"]!.GetValue<string>();
        var inMine = await DeviceSimulator.CreateAsync(fixture, admin, "in-mine", mine);
        var inOther = await DeviceSimulator.CreateAsync(fixture, admin, "in-other", other);
        var visible = (await admin.CreateActionAsync(new { device = new { id = inMine.Id }, type = "x" }))["id"]!.GetValue<long>();
        var hidden = (await admin.CreateActionAsync(new { device = new { id = inOther.Id }, type = "x" }))["id"]!.GetValue<long>();
        var visibleEvent = (await inMine.WakeAsync(events: [new { type = "e" }])).EventIds.Single();
        var hiddenEvent = (await inOther.WakeAsync(events: [new { type = "e" }])).EventIds.Single();

        var token = await ApiSession.Json(await admin.Post("/v2/tokens/", new { alias = "app", application = mine }), HttpStatusCode.Created);
        var scoped = await ApiSession.AuthenticateAsync(fixture.Platform, token["token"]!.GetValue<string>());
        Assert.Equal([visible], (await ApiSession.Json(await scoped.Get("/v2/actions/"), HttpStatusCode.OK)).AsArray().Select(a => a!["id"]!.GetValue<long>()));
        Assert.Equal([visibleEvent], (await ApiSession.Json(await scoped.Get("/v2/events/"), HttpStatusCode.OK)).AsArray().Select(e => e!["id"]!.GetValue<long>()));
        await ApiSession.Problem(await scoped.Get($"/v2/actions/{hidden}/"), HttpStatusCode.NotFound);
        await ApiSession.Problem(await scoped.Patch($"/v2/actions/{hidden}/", new { cancelled = true }), HttpStatusCode.NotFound);
        await ApiSession.Problem(await scoped.Get($"/v2/events/{hiddenEvent}/"), HttpStatusCode.NotFound);
        await ApiSession.Problem(await scoped.Post("/v2/actions/", new { device = new { id = inOther.Id }, type = "x" }), HttpStatusCode.BadRequest);
        await scoped.CreateActionAsync(new { device = new { name = "in-mine" }, type = "y" });

        foreach (var path in new[] { $"/v2/actions/{visible}/", $"/v2/events/{visibleEvent}/" })
        {
            await ApiSession.Problem(await stranger.Get(path), HttpStatusCode.NotFound);
        }

        await ApiSession.Problem(await stranger.Patch($"/v2/actions/{visible}/", new { cancelled = true }), HttpStatusCode.NotFound);
        await ApiSession.Problem(await stranger.Post("/v2/actions/", new { device = new { id = inMine.Id }, type = "x" }), HttpStatusCode.BadRequest);
        Assert.Empty((await ApiSession.Json(await stranger.Get("/v2/actions/"), HttpStatusCode.OK)).AsArray());
        Assert.Empty((await ApiSession.Json(await stranger.Get("/v2/events/"), HttpStatusCode.OK)).AsArray());
        Assert.False((await admin.GetActionAsync(visible))["cancelled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Deleting_a_device_cancels_its_unfinished_actions()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var device = (await session.CreateDeviceAsync("leaving"))["id"]!.GetValue<string>();
        var id = (await session.CreateActionAsync(new { device = new { id = device }, type = "x" }))["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/devices/{device}/")).StatusCode);
        var action = await session.GetActionAsync(id);
        Assert.True(action["cancelled"]!.GetValue<bool>());
        Assert.True(action["finished"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Unknown_action_and_event_ids_are_404()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        foreach (var path in new[] { "/v2/actions/987654321/", "/v2/actions/abc/", "/v2/events/987654321/", "/v2/events/-1/" })
        {
            await ApiSession.Problem(await session.Get(path), HttpStatusCode.NotFound);
        }

        await ApiSession.Problem(await session.Patch("/v2/actions/987654321/", new { cancelled = true }), HttpStatusCode.NotFound);
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class ActionsApiOnSqlite(SqlitePlatformFixture fixture) : ActionsApiTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class ActionsApiOnPostgres(PostgresPlatformFixture fixture) : ActionsApiTests(fixture);
