using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>A real HttpClient speaking to the platform with one token's access token.</summary>
public sealed class ApiSession(HttpClient http)
{
    public HttpClient Http => http;

    public static Task<ApiSession> AuthenticateAsync(PlatformInstance platform, string applicationToken) =>
        AuthenticateAsync(platform.BaseAddress, applicationToken);

    public static async Task<ApiSession> AuthenticateAsync(Uri baseAddress, string applicationToken)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var response = await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = applicationToken });
        var body = await Json(response, HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body["access"]!.GetValue<string>());
        return new ApiSession(http);
    }

    public Task<HttpResponseMessage> Get(string path) => http.GetAsync(path);

    public Task<HttpResponseMessage> Delete(string path) => http.DeleteAsync(path);

    public Task<HttpResponseMessage> Post(string path, object body) => http.PostAsJsonAsync(path, body);

    public Task<HttpResponseMessage> Patch(string path, object body) => http.PatchAsJsonAsync(path, body);

    public Task<HttpResponseMessage> Send(HttpMethod method, string path, string rawBody, string contentType = "application/json") =>
        http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(rawBody, Encoding.UTF8, contentType) });

    /// <summary>Asserts the status and returns the JSON body.</summary>
    public static async Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Asserts a problem+json answer with the status and returns it.</summary>
    public static async Task<JsonNode> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await Json(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, body["status"]!.GetValue<int>());
        return body;
    }

    public async Task<JsonNode> CreateApplicationAsync(string alias) =>
        await Json(await Post("/v2/applications/", new { alias, secret = "app-secret-" + alias }), HttpStatusCode.Created);

    public async Task<JsonNode> CreateActionAsync(object body) =>
        await Json(await Post("/v2/actions/", body), HttpStatusCode.Created);

    public async Task<JsonNode> GetActionAsync(long id) =>
        await Json(await Get($"/v2/actions/{id}/"), HttpStatusCode.OK);

    public async Task<JsonNode> CreateDeviceAsync(string name, string? application = null) =>
        await Json(await Post("/v2/devices/", application is null ? new { name } : (object)new { name, application }), HttpStatusCode.Created);
}
