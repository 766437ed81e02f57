using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Embever.Actors.Load.Client;

/// <summary>
/// HTTP to the platform under test: one pooled client per target URL (a silo or a load
/// balancer), requests spread round-robin, an access token for the API, Basic auth for devices.
/// </summary>
public sealed class PlatformClient : IDisposable
{
    private readonly HttpClient[] clients;
    private string? access;
    private uint next;

    public PlatformClient(IReadOnlyList<Uri> targets)
    {
        clients = targets.Select(target => new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            EnableMultipleHttp2Connections = true,
        })
        {
            BaseAddress = target,
            Timeout = TimeSpan.FromSeconds(120),
        }).ToArray();
    }

    public IReadOnlyList<Uri> Targets => clients.Select(c => c.BaseAddress!).ToList();

    private HttpClient Next => clients[Interlocked.Increment(ref next) % (uint)clients.Length];

    public async Task AuthenticateAsync(string applicationToken)
    {
        using var response = await Next.PostAsJsonAsync("/v2/authenticate/", new { application_token = applicationToken });
        response.EnsureSuccessStatusCode();
        access = (await ReadJsonAsync(response))["access"]!.GetValue<string>();
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<HttpResponseMessage> PostAsync(string path, object body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) });

    public Task<HttpResponseMessage> PatchAsync(string path, object body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(body) });

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (access is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        }

        return Next.SendAsync(request);
    }

    /// <summary>A request without the access token (the baseline measures the bare endpoint).</summary>
    public Task<HttpResponseMessage> SendAnonymousAsync(HttpRequestMessage request) => Next.SendAsync(request);

    /// <summary>One device exchange with a prepared JSON body.</summary>
    public Task<HttpResponseMessage> ExchangeAsync(string deviceId, string password, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/exchange") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{deviceId}:{password}")));
        return Next.SendAsync(request);
    }

    public static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? new JsonObject();

    public void Dispose()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }
}
