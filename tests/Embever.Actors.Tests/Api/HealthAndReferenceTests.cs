using System.Net;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

public abstract class HealthAndReferenceTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Health_and_ready_answer_without_a_token()
    {
        var http = fixture.Platform.CreateClient();
        Assert.Equal("ok", (await ApiSession.Json(await http.GetAsync("/health"), HttpStatusCode.OK))["status"]!.GetValue<string>());
        var ready = await ApiSession.Json(await http.GetAsync("/ready"), HttpStatusCode.OK);
        Assert.Equal(fixture.Kind.ToString(), ready["storage"]!.GetValue<string>());

        // Readiness is the store and this silo's membership, each reported.
        Assert.Equal("healthy", ready["checks"]!["store"]!["status"]!.GetValue<string>());
        Assert.Equal("healthy", ready["checks"]!["membership"]!["status"]!.GetValue<string>());
        Assert.Contains("This silo is active", ready["checks"]!["membership"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Diagnostics_show_memory_and_activations_to_the_operator_only()
    {
        var diagnostics = await ApiSession.Json(await fixture.Operator.Get("/v2/diagnostics/?collect=true"), HttpStatusCode.OK);
        Assert.True(diagnostics["working_set_bytes"]!.GetValue<long>() > 0);
        Assert.True(diagnostics["gc_heap_bytes"]!.GetValue<long>() > 0);
        Assert.NotNull(diagnostics["activations"]);
        var (_, session, _) = await fixture.NewOrganisationAsync();
        await ApiSession.Problem(await session.Get("/v2/diagnostics/"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_v2_paths_and_the_reference_page_is_served()
    {
        var http = fixture.Platform.CreateClient();
        var document = await ApiSession.Json(await http.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var expected in new[] { "/v2/devices/", "/v2/devices/{id}/", "/v2/applications/", "/v2/tokens/", "/v2/authenticate/", "/v2/organisations/" })
        {
            Assert.Contains(expected, paths);
        }

        // A title, the two ways to authenticate and who needs which, integers as integers, times as date-time.
        Assert.Equal("Embever IoT Core API v2", document["info"]!["title"]!.GetValue<string>());
        Assert.Contains("POST /v2/authenticate/", document["info"]!["description"]!.GetValue<string>());
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("bearer", schemes["bearer"]!["scheme"]!.GetValue<string>());
        Assert.Equal("basic", schemes["device"]!["scheme"]!.GetValue<string>());
        // An anonymous operation says so: an empty list of requirements.
        string? Security(string path, string method) =>
            document["paths"]![path]![method]!["security"]!.AsArray().SingleOrDefault()?.AsObject().Single().Key;
        Assert.Equal("bearer", Security("/v2/devices/", "get"));
        Assert.Equal("device", Security("/gateway/v1/exchange", "post"));
        Assert.Null(Security("/v2/authenticate/", "post"));
        Assert.Null(Security("/health", "get"));
        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!)).ToList();
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o["summary"]?.GetValue<string>())));
        var ids = operations.Select(o => o["operationId"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // What every list, creation and refusal to wait says in its headers, and the paging parameters.
        var list = document["paths"]!["/v2/devices/"]!["get"]!;
        Assert.NotNull(list["responses"]!["200"]!["headers"]!["X-Total-Count"]);
        Assert.NotNull(list["responses"]!["200"]!["headers"]!["Link"]);
        Assert.Equal(["type", "name", "application", "activated", "limit", "offset"], list["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.All(list["parameters"]!.AsArray(), p => Assert.False(string.IsNullOrWhiteSpace(p!["description"]?.GetValue<string>())));
        Assert.NotNull(document["paths"]!["/v2/devices/"]!["post"]!["responses"]!["201"]!["headers"]!["Location"]);

        // Every operation that reads a body documents it, from its request type: required members, no unknown ones.
        Assert.All(
            operations.Where(o => o["operationId"]!.GetValue<string>() is var id && (id.StartsWith("create") || id.StartsWith("update") || id.StartsWith("cancel") || id is "authenticate" or "refresh" or "importDevices" or "uploadFirmware" or "exchange")),
            o => Assert.NotNull(o["requestBody"]?["content"]));
        var createDevice = document["components"]!["schemas"]!["CreateDeviceRequest"]!;
        Assert.Equal(["name"], createDevice["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(createDevice["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(255, createDevice["properties"]!["name"]!["maxLength"]!.GetValue<int>());
        var webhookStatus = document["components"]!["schemas"]!["CreateActionRequest"]!["properties"]!["webhooks"]!["items"]!["properties"]!["status"]!;
        Assert.Contains("action_delivered", webhookStatus["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["application_token"], document["components"]!["schemas"]!["AuthenticateRequest"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));

        // A PATCH keeps absent apart from null: "application": null unlinks, "name": null is refused.
        var patch = document["components"]!["schemas"]!["UpdateDeviceRequest"]!["properties"]!;
        Assert.Contains("null", patch["application"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("string", patch["name"]!["type"]!.GetValue<string>());
        Assert.Equal("boolean", patch["activated"]!["type"]!.GetValue<string>());
        Assert.NotNull(document["paths"]!["/gateway/v1/exchange"]!["post"]!["responses"]!["429"]!["headers"]!["Retry-After"]);
        Assert.NotNull(document["paths"]!["/gateway/v1/files/{id}"]!["get"]!["responses"]!["206"]!["headers"]!["Content-Range"]);
        var text = document.ToJsonString();
        Assert.DoesNotContain("\"integer\",\"string\"", text);
        Assert.DoesNotContain("AnonymousType", text);
        var action = document["components"]!["schemas"]!["ActionResource"]!["properties"]!;
        Assert.Equal("integer", action["id"]!["type"]!.GetValue<string>());
        Assert.Equal(("string", "date-time"), (action["created_at"]!["type"]!.GetValue<string>(), action["created_at"]!["format"]!.GetValue<string>()));

        var root = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Platform.BaseAddress }.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/scalar/v1", root.Headers.Location?.ToString());

        var page = await http.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class HealthAndReferenceOnSqlite(SqlitePlatformFixture fixture) : HealthAndReferenceTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class HealthAndReferenceOnPostgres(PostgresPlatformFixture fixture) : HealthAndReferenceTests(fixture);
