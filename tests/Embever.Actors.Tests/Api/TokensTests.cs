using System.Net;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

public abstract class TokensTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_token_is_shown_once_then_listed_and_read_without_its_secret()
    {
        var (organisation, session, _) = await fixture.NewOrganisationAsync();
        var expiry = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ");
        var response = await session.Post("/v2/tokens/", new { alias = "sometoken", expiry_date = expiry });
        var created = await ApiSession.Json(response, HttpStatusCode.Created);
        var id = created["id"]!.GetValue<long>();
        Assert.True(id is > 0 and < (1L << 53));
        Assert.StartsWith("eyJ", created["token"]!.GetValue<string>());
        Assert.True(created["activated"]!.GetValue<bool>());
        Assert.Equal(expiry, created["expiry_date"]!.GetValue<string>());
        Assert.Equal(organisation, created["scope"]!["organisation"]!.GetValue<string>());
        Assert.Null(created["scope"]!["application"]);
        Assert.EndsWith($"/v2/tokens/{id}/", response.Headers.Location!.ToString());

        var detail = await ApiSession.Json(await session.Get($"/v2/tokens/{id}/"), HttpStatusCode.OK);
        Assert.Null(detail["token"]);
        Assert.Equal("sometoken", detail["alias"]!.GetValue<string>());
        var list = (await ApiSession.Json(await session.Get("/v2/tokens/"), HttpStatusCode.OK)).AsArray();
        Assert.Contains(list, t => t!["id"]!.GetValue<long>() == id && t["token"] is null);

        // The new token works on its own.
        var own = await ApiSession.AuthenticateAsync(fixture.Platform, created["token"]!.GetValue<string>());
        await ApiSession.Json(await own.Get("/v2/devices/"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_past_expiry_a_foreign_organisation_and_unknown_application_are_refused()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var (other, _, _) = await fixture.NewOrganisationAsync();
        var problem = await ApiSession.Problem(
            await session.Post("/v2/tokens/", new { alias = "x", expiry_date = "2001-01-01T00:00:00Z", organisation = other, application = Guid.NewGuid() }),
            HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["expiry_date"]);
        Assert.NotNull(problem["errors"]!["organisation"]);
        Assert.NotNull(problem["errors"]!["application"]);
    }

    [Fact]
    public async Task Deleted_tokens_are_gone_from_list_and_detail()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var id = (await ApiSession.Json(await session.Post("/v2/tokens/", new { alias = "short-lived" }), HttpStatusCode.Created))["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/tokens/{id}/")).StatusCode);
        await ApiSession.Problem(await session.Get($"/v2/tokens/{id}/"), HttpStatusCode.NotFound);
        var list = (await ApiSession.Json(await session.Get("/v2/tokens/"), HttpStatusCode.OK)).AsArray();
        Assert.DoesNotContain(list, t => t!["id"]!.GetValue<long>() == id);
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class TokensOnSqlite(SqlitePlatformFixture fixture) : TokensTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class TokensOnPostgres(PostgresPlatformFixture fixture) : TokensTests(fixture);
