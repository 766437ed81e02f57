using System.Net;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>A tenant never sees another tenant's objects: 404, never 403, and absent from lists.</summary>
public abstract class TenancyTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Another_organisations_objects_are_404_for_read_change_and_delete()
    {
        var (ownerOrganisation, owner, _) = await fixture.NewOrganisationAsync();
        var (_, stranger, _) = await fixture.NewOrganisationAsync();
        var application = (await owner.CreateApplicationAsync("private"))["id"]!.GetValue<string>();
        var device = (await owner.CreateDeviceAsync("private-device", application))["id"]!.GetValue<string>();
        var token = (await ApiSession.Json(await owner.Post("/v2/tokens/", new { alias = "private" }), HttpStatusCode.Created))["id"]!.ToString();

        foreach (var path in new[]
                 {
                     $"/v2/devices/{device}/", $"/v2/applications/{application}/", $"/v2/tokens/{token}/",
                     $"/v2/organisations/{ownerOrganisation}/", $"/v2/organisation/{ownerOrganisation}/",
                 })
        {
            await ApiSession.Problem(await stranger.Get(path), HttpStatusCode.NotFound);
        }

        await ApiSession.Problem(await stranger.Patch($"/v2/devices/{device}/", new { name = "stolen" }), HttpStatusCode.NotFound);
        await ApiSession.Problem(await stranger.Patch($"/v2/applications/{application}/", new { alias = "stolen" }), HttpStatusCode.NotFound);
        await ApiSession.Problem(await stranger.Patch($"/v2/organisations/{ownerOrganisation}/", new { secret = "stolen" }), HttpStatusCode.NotFound);
        await ApiSession.Problem(await stranger.Delete($"/v2/devices/{device}/"), HttpStatusCode.NotFound);
        await ApiSession.Problem(await stranger.Delete($"/v2/applications/{application}/"), HttpStatusCode.NotFound);
        await ApiSession.Problem(await stranger.Delete($"/v2/tokens/{token}/"), HttpStatusCode.NotFound);

        Assert.Empty((await ApiSession.Json(await stranger.Get("/v2/devices/"), HttpStatusCode.OK)).AsArray());
        Assert.Empty((await ApiSession.Json(await stranger.Get("/v2/applications/"), HttpStatusCode.OK)).AsArray());
        var strangerTokens = (await ApiSession.Json(await stranger.Get("/v2/tokens/"), HttpStatusCode.OK)).AsArray();
        Assert.DoesNotContain(strangerTokens, t => t!["id"]!.ToString() == token);
        Assert.Single((await ApiSession.Json(await stranger.Get("/v2/organisations/"), HttpStatusCode.OK)).AsArray());

        // Nothing changed for the owner.
        var unchanged = await ApiSession.Json(await owner.Get($"/v2/devices/{device}/"), HttpStatusCode.OK);
        Assert.Equal("private-device", unchanged["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stranger_cannot_link_a_device_to_another_organisations_application()
    {
        var (_, owner, _) = await fixture.NewOrganisationAsync();
        var (_, stranger, _) = await fixture.NewOrganisationAsync();
        var application = (await owner.CreateApplicationAsync("theirs"))["id"]!.GetValue<string>();
        var problem = await ApiSession.Problem(await stranger.Post("/v2/devices/", new { name = "mine", application }), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["application"]);
        var tokenProblem = await ApiSession.Problem(await stranger.Post("/v2/tokens/", new { alias = "x", application }), HttpStatusCode.BadRequest);
        Assert.NotNull(tokenProblem["errors"]!["application"]);
    }

    [Fact]
    public async Task Device_names_are_unique_per_organisation_only()
    {
        var (_, first, _) = await fixture.NewOrganisationAsync();
        var (_, second, _) = await fixture.NewOrganisationAsync();
        await first.CreateDeviceAsync("same-name");
        await second.CreateDeviceAsync("same-name");
        await ApiSession.Problem(await first.Post("/v2/devices/", new { name = "same-name" }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_application_token_sees_only_its_applications_devices()
    {
        var (_, admin, _) = await fixture.NewOrganisationAsync();
        var mine = (await admin.CreateApplicationAsync("mine"))["id"]!.GetValue<string>();
        var other = (await admin.CreateApplicationAsync("other"))["id"]!.GetValue<string>();
        var visible = (await admin.CreateDeviceAsync("in-mine", mine))["id"]!.GetValue<string>();
        var hidden = (await admin.CreateDeviceAsync("in-other", other))["id"]!.GetValue<string>();
        var unlinked = (await admin.CreateDeviceAsync("unlinked"))["id"]!.GetValue<string>();
        var token = await ApiSession.Json(await admin.Post("/v2/tokens/", new { alias = "app", application = mine }), HttpStatusCode.Created);
        var scoped = await ApiSession.AuthenticateAsync(fixture.Platform, token["token"]!.GetValue<string>());

        var list = (await ApiSession.Json(await scoped.Get("/v2/devices/"), HttpStatusCode.OK)).AsArray();
        Assert.Equal([visible], list.Select(d => d!["id"]!.GetValue<string>()));
        Assert.Empty((await ApiSession.Json(await scoped.Get($"/v2/devices/?application={other}"), HttpStatusCode.OK)).AsArray());
        await ApiSession.Json(await scoped.Get($"/v2/devices/{visible}/"), HttpStatusCode.OK);
        await ApiSession.Problem(await scoped.Get($"/v2/devices/{hidden}/"), HttpStatusCode.NotFound);
        await ApiSession.Problem(await scoped.Get($"/v2/devices/{unlinked}/"), HttpStatusCode.NotFound);
        await ApiSession.Problem(await scoped.Delete($"/v2/devices/{hidden}/"), HttpStatusCode.NotFound);

        // Devices it creates are linked to its application; it cannot move them elsewhere.
        var created = await scoped.CreateDeviceAsync("made-by-app");
        Assert.Equal(mine, created["application"]!.GetValue<string>());
        await ApiSession.Problem(await scoped.Patch($"/v2/devices/{visible}/", new { application = other }), HttpStatusCode.BadRequest);
        await ApiSession.Problem(await scoped.Patch($"/v2/devices/{visible}/", new { application = (string?)null }), HttpStatusCode.BadRequest);
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class TenancyOnSqlite(SqlitePlatformFixture fixture) : TenancyTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class TenancyOnPostgres(PostgresPlatformFixture fixture) : TenancyTests(fixture);
