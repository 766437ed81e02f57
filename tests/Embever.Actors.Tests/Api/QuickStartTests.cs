using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>The README's quick start, step by step, over a real socket.</summary>
public abstract class QuickStartTests(PlatformFixture fixture)
{
    [Fact]
    public async Task The_first_start_organisation_token_authenticates_and_manages_applications_and_devices()
    {
        var http = fixture.Platform.CreateClient();
        var auth = await ApiSession.Json(
            await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = fixture.Platform.ReadTokenFile("org-token") }),
            HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(auth["refresh"]?.GetValue<string>()));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth["access"]!.GetValue<string>());
        var session = new ApiSession(http);

        var suffix = Guid.NewGuid().ToString("N")[..8];
        var application = await session.CreateApplicationAsync($"quick-{suffix}");
        var applicationId = application["id"]!.GetValue<string>();
        var created = await session.Post("/v2/devices/", new { name = $"quick-{suffix}-1", application = applicationId });
        var device = await ApiSession.Json(created, HttpStatusCode.Created);
        Assert.Equal(device["url"]!.GetValue<string>(), created.Headers.Location!.ToString());
        Assert.False(string.IsNullOrEmpty(device["password"]!.GetValue<string>()));
        await session.CreateDeviceAsync($"quick-{suffix}-2", applicationId);
        await session.CreateDeviceAsync($"quick-{suffix}-other");

        var page = await session.Get($"/v2/devices/?application={applicationId}&limit=1");
        var items = (await ApiSession.Json(page, HttpStatusCode.OK)).AsArray();
        Assert.Single(items);
        Assert.Equal($"quick-{suffix}-1", items[0]!["name"]!.GetValue<string>());
        Assert.Equal("2", page.Headers.GetValues("X-Total-Count").Single());
        Assert.Null(items[0]!["password"]);
    }

    [Fact]
    public async Task Lists_carry_total_count_and_first_next_prev_last_links_that_keep_the_filters()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var application = (await session.CreateApplicationAsync("paged"))["id"]!.GetValue<string>();
        for (var i = 0; i < 5; i++)
        {
            await session.CreateDeviceAsync($"paged-{i}", application);
        }

        var response = await session.Get($"/v2/devices/?application={application}&limit=2&offset=2");
        var items = (await ApiSession.Json(response, HttpStatusCode.OK)).AsArray();
        Assert.Equal(["paged-2", "paged-3"], items.Select(i => i!["name"]!.GetValue<string>()));
        Assert.Equal("5", response.Headers.GetValues("X-Total-Count").Single());
        var link = response.Headers.GetValues("Link").Single();
        var baseUrl = fixture.Platform.BaseAddress.ToString().TrimEnd('/');
        Assert.Contains($"<{baseUrl}/v2/devices/?application={application}&limit=2>; rel=\"first\"", link);
        Assert.Contains($"<{baseUrl}/v2/devices/?application={application}&limit=2&offset=4>; rel=\"next\"", link);
        Assert.Contains($"<{baseUrl}/v2/devices/?application={application}&limit=2>; rel=\"prev previous\"", link);
        Assert.Contains($"<{baseUrl}/v2/devices/?application={application}&limit=2&offset=3>; rel=\"last\"", link);
    }

    [Fact]
    public async Task Lists_are_oldest_first_and_limit_is_capped_at_1000()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        for (var i = 0; i < 3; i++)
        {
            await session.CreateDeviceAsync($"ordered-{i}");
        }

        var items = (await ApiSession.Json(await session.Get("/v2/devices?limit=1000"), HttpStatusCode.OK)).AsArray();
        Assert.Equal(["ordered-0", "ordered-1", "ordered-2"], items.Select(i => i!["name"]!.GetValue<string>()));
        var response = await session.Get("/v2/devices/?limit=1000");
        Assert.Contains("limit=1000", response.Headers.GetValues("Link").Single());

        // More than a page may hold is said, not silently cut.
        var problem = await ApiSession.Problem(await session.Get("/v2/devices/?limit=5000"), HttpStatusCode.BadRequest);
        Assert.Contains("1000", problem["errors"]!["limit"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Paths_work_with_and_without_the_trailing_slash()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var device = await session.CreateDeviceAsync("slashes");
        var id = device["id"]!.GetValue<string>();
        await ApiSession.Json(await session.Get($"/v2/devices/{id}"), HttpStatusCode.OK);
        await ApiSession.Json(await session.Get($"/v2/devices/{id}/"), HttpStatusCode.OK);
        await ApiSession.Json(await session.Get("/v2/devices"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_entry_point_links_every_collection_with_absolute_urls()
    {
        var body = await ApiSession.Json(await fixture.Platform.CreateClient().GetAsync("/v2/"), HttpStatusCode.OK);
        var baseUrl = fixture.Platform.BaseAddress.ToString().TrimEnd('/');
        foreach (var collection in new[] { "devices", "actions", "events", "applications", "firmwares", "deployments", "updates", "organisations", "tokens", "authenticate" })
        {
            Assert.Equal($"{baseUrl}/v2/{collection}/", body[collection]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Urls_follow_forwarded_proto_and_host()
    {
        var http = fixture.Platform.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "api.example.com");
        var body = await ApiSession.Json(await http.SendAsync(request), HttpStatusCode.OK);
        Assert.Equal("https://api.example.com/v2/devices/", body["devices"]!.GetValue<string>());
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class QuickStartOnSqlite(SqlitePlatformFixture fixture) : QuickStartTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class QuickStartOnPostgres(PostgresPlatformFixture fixture) : QuickStartTests(fixture);
