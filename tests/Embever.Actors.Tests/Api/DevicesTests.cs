using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

public abstract class DevicesTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_created_device_shows_its_password_once_and_every_documented_field()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var created = await ApiSession.Json(
            await session.Post("/v2/devices/", new
            {
                name = "full",
                activated = true,
                webhooks = new object[]
                {
                    new { type = "temp", url = "https://example.com/temp" },
                    new { type = "temp", url = "https://example.org/temp", payload_only = true },
                },
            }),
            HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9]{8}$", id);
        Assert.True(created["password"]!.GetValue<string>().Length >= 22);
        Assert.True(created["activated"]!.GetValue<bool>());
        Assert.Equal("other", created["type"]!.GetValue<string>());
        Assert.Equal("object", JsonValueKind(created["connectivity"]));
        Assert.Null(created["application"]);
        Assert.Null(created["last_seen_at"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", created["created_at"]!.GetValue<string>());
        Assert.True(created["webhooks"]![1]!["payload_only"]!.GetValue<bool>());
        Assert.False(created["webhooks"]![0]!["payload_only"]!.GetValue<bool>());

        var detail = await ApiSession.Json(await session.Get($"/v2/devices/{id}/"), HttpStatusCode.OK);
        Assert.Null(detail["password"]);
        Assert.Equal(created["url"]!.GetValue<string>(), detail["url"]!.GetValue<string>());
        Assert.EndsWith($"/v2/devices/{id}/", detail["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_renames_links_unlinks_activates_and_replaces_webhooks()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var application = (await session.CreateApplicationAsync("patch"))["id"]!.GetValue<string>();
        var id = (await session.CreateDeviceAsync("before"))["id"]!.GetValue<string>();

        var linked = await ApiSession.Json(
            await session.Patch($"/v2/devices/{id}/", new { name = "after", application, activated = true, webhooks = new[] { new { type = "gps", url = "http://example.com/gps" } } }),
            HttpStatusCode.OK);
        Assert.Equal("after", linked["name"]!.GetValue<string>());
        Assert.Equal(application, linked["application"]!.GetValue<string>());
        Assert.True(linked["activated"]!.GetValue<bool>());
        Assert.Equal("gps", linked["webhooks"]![0]!["type"]!.GetValue<string>());

        var unlinked = await ApiSession.Json(await session.Patch($"/v2/devices/{id}/", new { application = (string?)null }), HttpStatusCode.OK);
        Assert.Null(unlinked["application"]);
        Assert.Equal("after", unlinked["name"]!.GetValue<string>());

        var listed = (await ApiSession.Json(await session.Get("/v2/devices/?name=after"), HttpStatusCode.OK)).AsArray();
        Assert.Single(listed);
        Assert.Null(listed[0]!["application"]);
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/devices/?name=before"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task Patch_keeps_absent_members_apart_from_null_ones()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var application = (await session.CreateApplicationAsync("absent"))["id"]!.GetValue<string>();
        var id = (await session.CreateDeviceAsync("kept", application))["id"]!.GetValue<string>();
        await ApiSession.Json(await session.Patch($"/v2/devices/{id}/", new { webhooks = new[] { new { type = "gps", url = "http://example.com/gps" } } }), HttpStatusCode.OK);

        // Absent: everything stays.
        var same = await ApiSession.Json(await session.Patch($"/v2/devices/{id}/", new { activated = true }), HttpStatusCode.OK);
        Assert.Equal(application, same["application"]!.GetValue<string>());
        Assert.Single(same["webhooks"]!.AsArray());

        // Null where it means something: no application, no webhooks.
        var cleared = await ApiSession.Json(await session.Patch($"/v2/devices/{id}/", new { application = (string?)null, webhooks = (object?)null }), HttpStatusCode.OK);
        Assert.Null(cleared["application"]);
        Assert.Empty(cleared["webhooks"]!.AsArray());

        // Null where it cannot mean anything: refused, naming the field, and nothing changes.
        var problem = await ApiSession.Problem(await session.Patch($"/v2/devices/{id}/", new { name = (string?)null, activated = (bool?)null }), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["name"]);
        Assert.NotNull(problem["errors"]!["activated"]);
        Assert.Equal("kept", (await ApiSession.Json(await session.Get($"/v2/devices/{id}/"), HttpStatusCode.OK))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_answer_names_every_bad_field_whatever_made_it_bad()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var problem = await ApiSession.Problem(
            await session.Post("/v2/devices/", new
            {
                name = new string('n', 256),
                application = Guid.NewGuid(),
                webhooks = new object[] { new { type = "gps", url = "ftp://example.com" }, new { type = 5, url = "http://example.com" }, new { type = "x" } },
            }),
            HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["name", "webhooks[0].url", "webhooks[1].type", "webhooks[2].url"], errors.Select(e => e.Key).Order());

        // Once the body reads, its rules and what it names are checked together.
        var readable = await ApiSession.Problem(
            await session.Post("/v2/devices/", new { name = new string('n', 256), application = Guid.NewGuid(), webhooks = new[] { new { type = "gps", url = "ftp://example.com" } } }),
            HttpStatusCode.BadRequest);
        Assert.Equal(["application", "name", "webhooks[0].url"], readable["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/devices/"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task Renaming_onto_a_taken_name_is_409_and_changes_nothing()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        await session.CreateDeviceAsync("taken");
        var id = (await session.CreateDeviceAsync("mine"))["id"]!.GetValue<string>();
        await ApiSession.Problem(await session.Patch($"/v2/devices/{id}/", new { name = "taken", activated = true }), HttpStatusCode.Conflict);
        var detail = await ApiSession.Json(await session.Get($"/v2/devices/{id}/"), HttpStatusCode.OK);
        Assert.Equal("mine", detail["name"]!.GetValue<string>());
        Assert.False(detail["activated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Delete_answers_204_then_the_device_is_gone_and_its_name_free()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var id = (await session.CreateDeviceAsync("doomed"))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/devices/{id}/")).StatusCode);
        await ApiSession.Problem(await session.Get($"/v2/devices/{id}/"), HttpStatusCode.NotFound);
        await ApiSession.Problem(await session.Delete($"/v2/devices/{id}/"), HttpStatusCode.NotFound);
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/devices/"), HttpStatusCode.OK)).AsArray());
        await session.CreateDeviceAsync("doomed");
    }

    [Fact]
    public async Task List_filters_by_type_activated_application_and_name_and_unknown_values_give_empty_lists()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var application = (await session.CreateApplicationAsync("filters"))["id"]!.GetValue<string>();
        await ApiSession.Json(await session.Post("/v2/devices/", new { name = "on", activated = true, application }), HttpStatusCode.Created);
        await session.CreateDeviceAsync("off");

        async Task<string[]> Names(string query) =>
            (await ApiSession.Json(await session.Get($"/v2/devices/{query}"), HttpStatusCode.OK)).AsArray().Select(d => d!["name"]!.GetValue<string>()).ToArray();

        Assert.Equal(["on"], await Names("?activated=true"));
        Assert.Equal(["off"], await Names("?activated=false"));
        Assert.Equal(["on"], await Names($"?application={application}"));
        Assert.Equal(["off"], await Names("?name=off"));
        Assert.Equal(["on", "off"], await Names("?type=other"));
        Assert.Equal(["on"], await Names($"?type=other&activated=true&application={application}&name=on"));
        Assert.Empty(await Names("?type=cellular"));
        Assert.NotNull((await ApiSession.Problem(await session.Get("/v2/devices/?activated=maybe"), HttpStatusCode.BadRequest))["errors"]!["activated"]);
        Assert.NotNull((await ApiSession.Problem(await session.Get("/v2/devices/?application=not-a-uuid"), HttpStatusCode.BadRequest))["errors"]!["application"]);
        Assert.Empty(await Names($"?application={Guid.NewGuid()}"));
    }

    [Fact]
    public async Task Bulk_import_provisions_devices_that_list_read_and_exchange_like_any_other()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var application = (await session.CreateApplicationAsync("factory"))["id"]!.GetValue<string>();
        await session.CreateDeviceAsync("existing");
        var imported = (await ApiSession.Json(await session.Post("/v2/devices/import/", new
        {
            application,
            activated = true,
            devices = Enumerable.Range(0, 300).Select(i => new { name = $"line-{i:D3}" }),
        }), HttpStatusCode.Created)).AsArray();
        Assert.Equal(300, imported.Count);
        Assert.Equal("line-000", imported[0]!["name"]!.GetValue<string>());

        var listed = await session.Get($"/v2/devices/?application={application}&activated=true&limit=1");
        Assert.Equal("300", listed.Headers.GetValues("X-Total-Count").Single());
        var id = imported[7]!["id"]!.GetValue<string>();
        var detail = await ApiSession.Json(await session.Get($"/v2/devices/{id}/"), HttpStatusCode.OK);
        Assert.Equal("line-007", detail["name"]!.GetValue<string>());
        Assert.Equal(application, detail["application"]!.GetValue<string>());

        var device = new DeviceSimulator(fixture.Platform, id, imported[7]!["password"]!.GetValue<string>());
        var action = (await session.CreateActionAsync(new { device = new { id }, type = "hello" }))["id"]!.GetValue<long>();
        Assert.Equal([action], (await device.WakeAsync()).ActionIds);
        var other = imported[8]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Unauthorized, (await new DeviceSimulator(fixture.Platform, other, "wrong").SendAsync(new { })).StatusCode);

        var conflict = await ApiSession.Problem(await session.Post("/v2/devices/import/", new { devices = new[] { new { name = "fresh" }, new { name = "existing" } } }), HttpStatusCode.Conflict);
        Assert.Contains("existing", conflict["detail"]!.GetValue<string>());
        await ApiSession.Problem(await session.Post("/v2/devices/import/", new { devices = new[] { new { name = "twin" }, new { name = "twin" } } }), HttpStatusCode.BadRequest);
        await ApiSession.Problem(await session.Post("/v2/devices/import/", new { devices = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/devices/?name=fresh"), HttpStatusCode.OK)).AsArray());
    }

    private static string JsonValueKind(JsonNode? node) => node?.GetValueKind().ToString().ToLowerInvariant() ?? "null";
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class DevicesOnSqlite(SqlitePlatformFixture fixture) : DevicesTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class DevicesOnPostgres(PostgresPlatformFixture fixture) : DevicesTests(fixture);
