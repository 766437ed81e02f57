using System.Net;
using System.Net.Http.Json;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

public abstract class ApplicationsTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Create_read_update_list_and_delete_an_application_without_ever_showing_its_secret()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var response = await session.Post("/v2/applications/", new { alias = "App1", description = "some description", secret = "top-secret" });
        var created = await ApiSession.Json(response, HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out _));
        Assert.Null(created["secret"]);
        Assert.EndsWith($"/v2/applications/{id}/", response.Headers.Location!.ToString());

        var updated = await ApiSession.Json(await session.Patch($"/v2/applications/{id}/", new { alias = "App2", secret = "rotated" }), HttpStatusCode.OK);
        Assert.Equal("App2", updated["alias"]!.GetValue<string>());
        Assert.Equal("some description", updated["description"]!.GetValue<string>());
        Assert.Null(updated["secret"]);

        var list = (await ApiSession.Json(await session.Get("/v2/applications/"), HttpStatusCode.OK)).AsArray();
        Assert.Equal(["App2"], list.Select(a => a!["alias"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/applications/{id}")).StatusCode);
        await ApiSession.Problem(await session.Get($"/v2/applications/{id}/"), HttpStatusCode.NotFound);
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/applications/"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task Alias_and_secret_are_required_on_create()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var problem = await ApiSession.Problem(await session.Post("/v2/applications/", new { description = "x" }), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["alias"]);
        Assert.NotNull(problem["errors"]!["secret"]);
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/applications/"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task Deleting_an_application_with_linked_devices_is_409_until_they_are_unlinked()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var id = (await session.CreateApplicationAsync("busy"))["id"]!.GetValue<string>();
        var device = (await session.CreateDeviceAsync("linked", id))["id"]!.GetValue<string>();
        await ApiSession.Problem(await session.Delete($"/v2/applications/{id}/"), HttpStatusCode.Conflict);
        await ApiSession.Json(await session.Patch($"/v2/devices/{device}/", new { application = (string?)null }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/applications/{id}/")).StatusCode);
    }

    [Fact]
    public async Task Deleting_an_application_revokes_the_tokens_scoped_to_it()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var id = (await session.CreateApplicationAsync("with-token"))["id"]!.GetValue<string>();
        var token = await ApiSession.Json(await session.Post("/v2/tokens/", new { alias = "app", application = id }), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/applications/{id}/")).StatusCode);
        await ApiSession.Problem(await session.Get($"/v2/tokens/{token["id"]}/"), HttpStatusCode.NotFound);
        var http = fixture.Platform.CreateClient();
        await ApiSession.Problem(
            await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = token["token"]!.GetValue<string>() }), HttpStatusCode.Unauthorized);
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class ApplicationsOnSqlite(SqlitePlatformFixture fixture) : ApplicationsTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class ApplicationsOnPostgres(PostgresPlatformFixture fixture) : ApplicationsTests(fixture);
