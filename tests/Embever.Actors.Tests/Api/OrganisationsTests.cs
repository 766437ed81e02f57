using System.Net;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

public abstract class OrganisationsTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_tenant_lists_only_its_own_organisation_and_reads_it_under_both_paths()
    {
        var (id, session, _) = await fixture.NewOrganisationAsync("Acme GmbH");
        var list = (await ApiSession.Json(await session.Get("/v2/organisations/"), HttpStatusCode.OK)).AsArray();
        Assert.Equal([id], list.Select(o => o!["id"]!.GetValue<string>()));
        var plural = await ApiSession.Json(await session.Get($"/v2/organisations/{id}/"), HttpStatusCode.OK);
        var singular = await ApiSession.Json(await session.Get($"/v2/organisation/{id}"), HttpStatusCode.OK);
        Assert.Equal(plural.ToJsonString(), singular.ToJsonString());
        Assert.Equal("Acme GmbH", plural["name"]!.GetValue<string>());
        Assert.Equal(300, plural["max_token_lifespan_in_seconds"]!.GetValue<int>());
        Assert.Null(plural["secret"]);
        Assert.EndsWith($"/v2/organisations/{id}/", plural["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_operator_lists_every_organisation_and_an_application_token_none()
    {
        var (first, session, _) = await fixture.NewOrganisationAsync();
        var (second, _, _) = await fixture.NewOrganisationAsync();
        var all = new List<string>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = (await ApiSession.Json(await fixture.Operator.Get($"/v2/organisations/?limit=1000&offset={offset}"), HttpStatusCode.OK)).AsArray();
            all.AddRange(page.Select(o => o!["id"]!.GetValue<string>()));
            if (page.Count < 1000)
            {
                break;
            }
        }

        Assert.Contains(first, all);
        Assert.Contains(second, all);
        var application = (await session.CreateApplicationAsync("scoped"))["id"]!.GetValue<string>();
        var token = await ApiSession.Json(await session.Post("/v2/tokens/", new { alias = "app", application }), HttpStatusCode.Created);
        var scoped = await ApiSession.AuthenticateAsync(fixture.Platform, token["token"]!.GetValue<string>());
        await ApiSession.Problem(await scoped.Get("/v2/organisations/"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Patch_sets_secret_and_lifespan_and_the_secret_is_shown_only_in_that_answer()
    {
        var (id, session, _) = await fixture.NewOrganisationAsync();
        var patched = await ApiSession.Json(
            await session.Patch($"/v2/organisation/{id}/", new { secret = "new-secret", max_token_lifespan_in_seconds = 360 }), HttpStatusCode.OK);
        Assert.Equal("new-secret", patched["secret"]!.GetValue<string>());
        Assert.Equal(360, patched["max_token_lifespan_in_seconds"]!.GetValue<int>());
        var read = await ApiSession.Json(await session.Get($"/v2/organisations/{id}/"), HttpStatusCode.OK);
        Assert.Null(read["secret"]);
        Assert.Equal(360, read["max_token_lifespan_in_seconds"]!.GetValue<int>());
        var listed = (await ApiSession.Json(await session.Get("/v2/organisations/"), HttpStatusCode.OK)).AsArray();
        Assert.Null(listed[0]!["secret"]);
        Assert.Equal(360, listed[0]!["max_token_lifespan_in_seconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Only_secret_and_lifespan_are_writable()
    {
        var (id, session, _) = await fixture.NewOrganisationAsync("Fixed name");
        var problem = await ApiSession.Problem(
            await session.Patch($"/v2/organisations/{id}/", new { name = "Renamed", max_token_lifespan_in_seconds = 0 }), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["name"]);
        Assert.NotNull(problem["errors"]!["max_token_lifespan_in_seconds"]);
        var read = await ApiSession.Json(await session.Get($"/v2/organisations/{id}/"), HttpStatusCode.OK);
        Assert.Equal("Fixed name", read["name"]!.GetValue<string>());
        Assert.Equal(300, read["max_token_lifespan_in_seconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_operator_creates_an_organisation_with_its_address_and_sees_the_secret_once()
    {
        var created = await ApiSession.Json(
            await fixture.Operator.Post("/v2/organisations/", new
            {
                name = "Embever", street = "Carl-Miller Str.", street_number = "6", postal_code = "39112", city = "Magdeburg", country = "DE",
                max_token_lifespan_in_seconds = 600,
            }),
            HttpStatusCode.Created);
        Assert.Equal("39112", created["postal_code"]!.GetValue<string>());
        Assert.Equal(600, created["max_token_lifespan_in_seconds"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(created["secret"]!.GetValue<string>()));
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class OrganisationsOnSqlite(SqlitePlatformFixture fixture) : OrganisationsTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class OrganisationsOnPostgres(PostgresPlatformFixture fixture) : OrganisationsTests(fixture);
