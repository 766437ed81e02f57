using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>A device as the gateway sees it: HTTP Basic with its id and password, one exchange per wakeup.</summary>
public sealed class DeviceSimulator
{
    private readonly HttpClient http;

    public DeviceSimulator(PlatformInstance platform, string id, string password)
        : this(platform.BaseAddress, id, password)
    {
    }

    public DeviceSimulator(Uri baseAddress, string id, string password)
    {
        Id = id;
        Password = password;
        http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{password}")));
    }

    public string Id { get; }

    public string Password { get; }

    /// <summary>Creates a device through the API and returns it as a simulator with its one-time password.</summary>
    public static async Task<DeviceSimulator> CreateAsync(PlatformFixture fixture, ApiSession session, string name, string? application = null) =>
        await CreateAsync(fixture.Platform, session, name, application);

    public static async Task<DeviceSimulator> CreateAsync(PlatformInstance platform, ApiSession session, string name, string? application = null)
    {
        var device = await session.CreateDeviceAsync(name, application);
        return new DeviceSimulator(platform, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
    }

    public Task<HttpResponseMessage> SendAsync(object body) => http.PostAsJsonAsync("/gateway/v1/exchange", body);

    /// <summary>One wakeup; asserts 200 and returns the answer.</summary>
    public async Task<Exchange> WakeAsync(
        IEnumerable<long>? acks = null,
        IEnumerable<object>? responses = null,
        IEnumerable<object>? events = null,
        IEnumerable<object>? fileTransfers = null)
    {
        var body = new JsonObject();
        if (acks is not null)
        {
            body["acks"] = new JsonArray(acks.Select(a => (JsonNode)a).ToArray());
        }

        if (responses is not null)
        {
            body["responses"] = JsonSerializerNode(responses);
        }

        if (events is not null)
        {
            body["events"] = JsonSerializerNode(events);
        }

        if (fileTransfers is not null)
        {
            body["file_transfers"] = JsonSerializerNode(fileTransfers);
        }

        var response = await http.PostAsync("/gateway/v1/exchange", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        return new Exchange(await ApiSession.Json(response, HttpStatusCode.OK));
    }

    public Task<HttpResponseMessage> DownloadAsync(string fileId, long? from = null, long? to = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/gateway/v1/files/{fileId}");
        if (from is not null || to is not null)
        {
            request.Headers.Range = new RangeHeaderValue(from, to);
        }

        return http.SendAsync(request);
    }

    private static JsonNode JsonSerializerNode(IEnumerable<object> items) => System.Text.Json.JsonSerializer.SerializeToNode(items.ToArray())!;

    /// <summary>The gateway's answer to one exchange.</summary>
    public sealed record Exchange(JsonNode Body)
    {
        public IReadOnlyList<JsonNode> Actions => Body["actions"]!.AsArray().Select(a => a!).ToList();

        public IReadOnlyList<long> ActionIds => Actions.Select(a => a["id"]!.GetValue<long>()).ToList();

        public IReadOnlyList<long> EventIds => Body["events"]!.AsArray().Select(e => e!.GetValue<long>()).ToList();

        public IReadOnlyList<(long Action, string Reason)> Rejected =>
            Body["rejected"]!.AsArray().Select(r => (r!["action"]!.GetValue<long>(), r["reason"]!.GetValue<string>())).ToList();
    }
}
