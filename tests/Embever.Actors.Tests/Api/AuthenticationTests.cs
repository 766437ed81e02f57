using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

public abstract class AuthenticationTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Requests_without_or_with_a_bad_token_are_401_problems()
    {
        var http = fixture.Platform.CreateClient();
        await ApiSession.Problem(await http.GetAsync("/v2/devices/"), HttpStatusCode.Unauthorized);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.jwt");
        await ApiSession.Problem(await http.GetAsync("/v2/devices/"), HttpStatusCode.Unauthorized);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        await ApiSession.Problem(await http.GetAsync("/v2/devices/"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Authenticate_refuses_invalid_application_tokens_and_access_tokens()
    {
        var http = fixture.Platform.CreateClient();
        await ApiSession.Problem(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = "garbage" }), HttpStatusCode.Unauthorized);
        var (_, _, token) = await fixture.NewOrganisationAsync();
        var tampered = token[..^3] + (token[^3..] == "AAA" ? "BBB" : "AAA");
        await ApiSession.Problem(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = tampered }), HttpStatusCode.Unauthorized);
        var auth = await ApiSession.Json(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = token }), HttpStatusCode.OK);
        await ApiSession.Problem(
            await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = auth["access"]!.GetValue<string>() }),
            HttpStatusCode.Unauthorized);
        await ApiSession.Problem(await http.PostAsJsonAsync("/v2/authenticate/", new { }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_JWT_prefix_is_accepted_like_Bearer()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var access = session.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        var http = fixture.Platform.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("JWT", access);
        await ApiSession.Json(await http.GetAsync("/v2/devices/"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refresh_returns_a_new_access_token_and_refuses_an_access_token()
    {
        var (_, _, token) = await fixture.NewOrganisationAsync();
        var http = fixture.Platform.CreateClient();
        var auth = await ApiSession.Json(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = token }), HttpStatusCode.OK);
        var refreshed = await ApiSession.Json(
            await http.PostAsJsonAsync("/v2/authenticate/refresh/", new { refresh = auth["refresh"]!.GetValue<string>() }), HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", refreshed["access"]!.GetValue<string>());
        await ApiSession.Json(await http.GetAsync("/v2/devices/"), HttpStatusCode.OK);
        await ApiSession.Problem(
            await http.PostAsJsonAsync("/v2/authenticate/refresh/", new { refresh = auth["access"]!.GetValue<string>() }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_refresh_token_is_not_an_access_token()
    {
        var (_, _, token) = await fixture.NewOrganisationAsync();
        var http = fixture.Platform.CreateClient();
        var auth = await ApiSession.Json(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = token }), HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth["refresh"]!.GetValue<string>());
        await ApiSession.Problem(await http.GetAsync("/v2/devices/"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Revoking_a_token_ends_its_access_tokens_and_its_refresh_and_authentication()
    {
        var (_, admin, _) = await fixture.NewOrganisationAsync();
        var created = await ApiSession.Json(await admin.Post("/v2/tokens/", new { alias = "to revoke" }), HttpStatusCode.Created);
        var jwt = created["token"]!.GetValue<string>();
        var http = fixture.Platform.CreateClient();
        var auth = await ApiSession.Json(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = jwt }), HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth["access"]!.GetValue<string>());
        await ApiSession.Json(await http.GetAsync("/v2/devices/"), HttpStatusCode.OK);

        var revoked = await admin.Delete($"/v2/tokens/{created["id"]}/");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        await ApiSession.Problem(await http.GetAsync("/v2/devices/"), HttpStatusCode.Unauthorized);
        await ApiSession.Problem(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = jwt }), HttpStatusCode.Unauthorized);
        await ApiSession.Problem(
            await http.PostAsJsonAsync("/v2/authenticate/refresh/", new { refresh = auth["refresh"]!.GetValue<string>() }), HttpStatusCode.Unauthorized);
        var listed = (await ApiSession.Json(await admin.Get("/v2/tokens/"), HttpStatusCode.OK)).AsArray();
        Assert.DoesNotContain(listed, t => t!["id"]!.GetValue<long>() == created["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_operator_token_lists_and_creates_organisations_and_their_tokens_but_sees_no_tenant_objects()
    {
        var op = fixture.Operator;
        await ApiSession.Problem(await op.Get("/v2/devices/"), HttpStatusCode.Forbidden);
        await ApiSession.Problem(await op.Get("/v2/applications/"), HttpStatusCode.Forbidden);
        Assert.NotEmpty((await ApiSession.Json(await op.Get("/v2/organisations/"), HttpStatusCode.OK)).AsArray());
        await ApiSession.Problem(await op.Get("/v2/tokens/"), HttpStatusCode.Forbidden);
        await ApiSession.Problem(await op.Post("/v2/devices/", new { name = "nope" }), HttpStatusCode.Forbidden);
        var problem = await ApiSession.Problem(await op.Post("/v2/tokens/", new { alias = "no organisation" }), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["organisation"]);
        var (id, _, _) = await fixture.NewOrganisationAsync();
        Assert.True(Guid.TryParse(id, out _));
    }

    [Fact]
    public async Task Only_the_operator_creates_organisations()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        await ApiSession.Problem(await session.Post("/v2/organisations/", new { name = "sneaky" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_application_token_cannot_manage_tokens_applications_or_organisations()
    {
        var (organisation, admin, _) = await fixture.NewOrganisationAsync();
        var application = (await admin.CreateApplicationAsync("scoped"))["id"]!.GetValue<string>();
        var token = await ApiSession.Json(await admin.Post("/v2/tokens/", new { alias = "app", application }), HttpStatusCode.Created);
        Assert.Equal(application, token["scope"]!["application"]!.GetValue<string>());
        Assert.Equal(organisation, token["scope"]!["organisation"]!.GetValue<string>());
        var scoped = await ApiSession.AuthenticateAsync(fixture.Platform, token["token"]!.GetValue<string>());

        await ApiSession.Problem(await scoped.Get("/v2/tokens/"), HttpStatusCode.Forbidden);
        await ApiSession.Problem(await scoped.Post("/v2/tokens/", new { alias = "more" }), HttpStatusCode.Forbidden);
        await ApiSession.Problem(await scoped.Get("/v2/applications/"), HttpStatusCode.Forbidden);
        await ApiSession.Problem(await scoped.Post("/v2/applications/", new { alias = "x", secret = "y" }), HttpStatusCode.Forbidden);
        await ApiSession.Problem(await scoped.Get($"/v2/organisations/{organisation}/"), HttpStatusCode.Forbidden);
        await ApiSession.Problem(await scoped.Patch($"/v2/organisations/{organisation}/", new { secret = "x" }), HttpStatusCode.Forbidden);
        await ApiSession.Json(await scoped.Get("/v2/devices/"), HttpStatusCode.OK);
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class AuthenticationOnSqlite(SqlitePlatformFixture fixture) : AuthenticationTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class AuthenticationOnPostgres(PostgresPlatformFixture fixture) : AuthenticationTests(fixture);
