using System.Net;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Embever.Actors.Tests.Api;

/// <summary>Every endpoint that takes a body refuses bad input with a 4xx problem and stores nothing.</summary>
public abstract class BadInputTests(PlatformFixture fixture)
{
    private sealed record Target(HttpMethod Method, string Path, ApiSession Session, string WrongTypes);

    [Fact]
    public async Task Malformed_json_non_objects_and_empty_bodies_are_400_on_every_endpoint()
    {
        var (targets, snapshot) = await PrepareAsync();
        var before = await snapshot();
        foreach (var target in targets)
        {
            foreach (var body in new[] { "{\"name\": ", "[1,2]", "\"text\"", "", "{\"a\":1}{" })
            {
                var response = await target.Session.Send(target.Method, target.Path, body);
                await ExpectProblem(response, HttpStatusCode.BadRequest, $"{target.Method} {target.Path} with '{body}'");
            }
        }

        Assert.Equal(before, await snapshot());
    }

    [Fact]
    public async Task Wrong_types_unknown_fields_are_400_with_errors_per_field_on_every_endpoint()
    {
        var (targets, snapshot) = await PrepareAsync();
        var before = await snapshot();
        foreach (var target in targets)
        {
            var response = await target.Session.Send(target.Method, target.Path, target.WrongTypes);
            var problem = await ExpectProblem(response, HttpStatusCode.BadRequest, $"{target.Method} {target.Path}");
            Assert.True(problem["errors"]?.AsObject().Count > 0, $"{target.Method} {target.Path} names no field: {problem.ToJsonString()}");
            var unknown = await target.Session.Send(target.Method, target.Path, "{\"no_such_field\": 1}");
            var unknownProblem = await ExpectProblem(unknown, HttpStatusCode.BadRequest, $"{target.Method} {target.Path} unknown field");
            Assert.NotNull(unknownProblem["errors"]!["no_such_field"]);
        }

        Assert.Equal(before, await snapshot());
    }

    [Fact]
    public async Task Oversize_bodies_are_413_and_other_media_types_415_on_every_endpoint()
    {
        var (targets, snapshot) = await PrepareAsync();
        var before = await snapshot();
        var huge = "{\"name\": \"" + new string('x', 400_000) + "\"}";
        foreach (var target in targets)
        {
            await ExpectProblem(await target.Session.Send(target.Method, target.Path, huge), HttpStatusCode.RequestEntityTooLarge, $"{target.Method} {target.Path}");
            await ExpectProblem(await target.Session.Send(target.Method, target.Path, "name=x", "text/plain"), HttpStatusCode.UnsupportedMediaType, $"{target.Method} {target.Path}");
        }

        Assert.Equal(before, await snapshot());
    }

    [Fact]
    public async Task Unknown_ids_are_404_for_read_change_and_delete()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        foreach (var path in new[]
                 {
                     "/v2/devices/NoSuch01/", "/v2/devices/bad%20id/", $"/v2/applications/{Guid.NewGuid()}/", "/v2/applications/not-a-uuid/",
                     "/v2/tokens/999999999/", "/v2/tokens/abc/", $"/v2/organisations/{Guid.NewGuid()}/", "/v2/organisations/xyz/",
                 })
        {
            await ExpectProblem(await session.Get(path), HttpStatusCode.NotFound, $"GET {path}");
        }

        await ExpectProblem(await session.Patch("/v2/devices/NoSuch01/", new { name = "x" }), HttpStatusCode.NotFound, "PATCH device");
        await ExpectProblem(await session.Patch($"/v2/applications/{Guid.NewGuid()}/", new { alias = "x" }), HttpStatusCode.NotFound, "PATCH application");
        await ExpectProblem(await session.Delete("/v2/devices/NoSuch01/"), HttpStatusCode.NotFound, "DELETE device");
        await ExpectProblem(await session.Delete($"/v2/applications/{Guid.NewGuid()}/"), HttpStatusCode.NotFound, "DELETE application");
        await ExpectProblem(await session.Delete("/v2/tokens/999999999/"), HttpStatusCode.NotFound, "DELETE token");
    }

    [Fact]
    public async Task Bad_paging_parameters_are_400()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        foreach (var query in new[] { "limit=0", "limit=-1", "limit=abc", "offset=-5", "offset=x" })
        {
            await ExpectProblem(await session.Get($"/v2/devices/?{query}"), HttpStatusCode.BadRequest, query);
        }
    }

    private async Task<(List<Target> Targets, Func<Task<string>> Snapshot)> PrepareAsync()
    {
        var (organisation, session, _) = await fixture.NewOrganisationAsync();
        var application = (await session.CreateApplicationAsync("existing"))["id"]!.GetValue<string>();
        var device = (await session.CreateDeviceAsync("existing"))["id"]!.GetValue<string>();
        var op = fixture.Operator;
        var targets = new List<Target>
        {
            new(HttpMethod.Post, "/v2/authenticate/", session, "{\"application_token\": 42}"),
            new(HttpMethod.Post, "/v2/authenticate/refresh/", session, "{\"refresh\": true}"),
            new(HttpMethod.Post, "/v2/organisations/", op, "{\"name\": 1, \"max_token_lifespan_in_seconds\": \"long\"}"),
            new(HttpMethod.Patch, $"/v2/organisations/{organisation}/", session, "{\"secret\": 5, \"max_token_lifespan_in_seconds\": 1.5}"),
            new(HttpMethod.Post, "/v2/applications/", session, "{\"alias\": [], \"secret\": {}}"),
            new(HttpMethod.Patch, $"/v2/applications/{application}/", session, "{\"alias\": false}"),
            new(HttpMethod.Post, "/v2/tokens/", session, "{\"alias\": 3, \"expiry_date\": \"tomorrow\", \"application\": \"nope\"}"),
            new(HttpMethod.Post, "/v2/devices/", session, "{\"name\": 7, \"activated\": \"yes\", \"webhooks\": [{\"type\": 1, \"url\": \"ftp://x\", \"payload_only\": \"no\"}]}"),
            new(HttpMethod.Patch, $"/v2/devices/{device}/", session, "{\"name\": null, \"activated\": 1, \"webhooks\": {}}"),
        };
        return (targets, () => SnapshotAsync(session, organisation));
    }

    /// <summary>Everything the bad requests could have touched: the tenant's objects and the organisation count.</summary>
    private async Task<string> SnapshotAsync(ApiSession session, string organisation)
    {
        var database = fixture.Platform.Services.GetRequiredService<Database>();
        var parts = new List<string> { (await database.ScalarAsync<long>("SELECT count(*) FROM organisations")).ToString() };
        foreach (var path in new[] { "/v2/devices/", "/v2/applications/", "/v2/tokens/", $"/v2/organisations/{organisation}/" })
        {
            parts.Add((await ApiSession.Json(await session.Get(path), HttpStatusCode.OK)).ToJsonString());
        }

        return string.Join("\n", parts);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> ExpectProblem(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{what}: not problem+json but {response.Content.Headers.ContentType}");
        return System.Text.Json.Nodes.JsonNode.Parse(text)!;
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class BadInputOnSqlite(SqlitePlatformFixture fixture) : BadInputTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class BadInputOnPostgres(PostgresPlatformFixture fixture) : BadInputTests(fixture);
