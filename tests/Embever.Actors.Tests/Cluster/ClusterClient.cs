using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Cluster;

/// <summary>
/// The test's load balancer: sends each request to the next live silo, and on a refused
/// connection or a 5xx tries the next one, counting what happened.
/// </summary>
public sealed class ClusterClient(LocalCluster cluster)
{
    private readonly ConcurrentDictionary<string, HttpClient> clients = new();
    private int next;

    public ConcurrentBag<(string Silo, int Status)> Failures { get; } = [];

    public int Requests => requests;

    private int requests;

    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, int attempts = 40)
    {
        for (var attempt = 1; ; attempt++)
        {
            var live = cluster.Live;
            var silo = live[Interlocked.Increment(ref next) % live.Count];
            var http = clients.GetOrAdd(silo.Name + silo.BaseAddress, _ => new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(40) });
            Interlocked.Increment(ref requests);
            try
            {
                var response = await http.SendAsync(request());
                if ((int)response.StatusCode < 500 || attempt == attempts)
                {
                    return response;
                }

                Failures.Add((silo.Name, (int)response.StatusCode));
            }
            catch (Exception exception) when ((exception is HttpRequestException or TaskCanceledException) && attempt < attempts)
            {
                Failures.Add((silo.Name, 0));
            }

            await Task.Delay(200);
        }
    }

    /// <summary>An access token for an application token, obtained through any silo.</summary>
    public async Task<string> AccessTokenAsync(string applicationToken)
    {
        var auth = await ApiSession.Json(await SendAsync(() => Json(HttpMethod.Post, "/v2/authenticate/", new { application_token = applicationToken })), HttpStatusCode.OK);
        return auth["access"]!.GetValue<string>();
    }

    /// <summary>An API session (Bearer access token) spread over the cluster.</summary>
    public async Task<Func<HttpMethod, string, object?, Task<HttpResponseMessage>>> AuthenticateAsync(string applicationToken)
    {
        var access = await AccessTokenAsync(applicationToken);
        return (method, path, body) => SendAsync(() =>
        {
            var message = Json(method, path, body);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
            return message;
        });
    }

    public static HttpRequestMessage Json(HttpMethod method, string path, object? body) =>
        new(method, path) { Content = body is null ? null : JsonContent.Create(body) };

    /// <summary>A device that keeps its reports until an exchange succeeds, through any silo.</summary>
    public sealed class Device(ClusterClient client, string id, string password)
    {
        private readonly List<long> acks = [];
        private readonly List<object> responses = [];

        public string Id => id;

        public string Password => password;

        public List<long> AcceptedEvents { get; } = [];

        public HashSet<long> Received { get; } = [];

        public async Task<int> WakeAsync(string? eventType = null)
        {
            var body = new JsonObject
            {
                ["acks"] = new JsonArray(acks.Select(a => (JsonNode)a).ToArray()),
                ["responses"] = System.Text.Json.JsonSerializer.SerializeToNode(responses),
            };
            if (eventType is not null)
            {
                body["events"] = new JsonArray(new JsonObject { ["type"] = eventType, ["payload"] = new JsonObject { ["device"] = id } });
            }

            var text = body.ToJsonString();
            var response = await client.SendAsync(() =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/exchange") { Content = new StringContent(text, Encoding.UTF8, "application/json") };
                message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{password}")));
                return message;
            });
            var exchange = new DeviceSimulator.Exchange(await ApiSession.Json(response, HttpStatusCode.OK));
            Assert.Empty(exchange.Rejected);
            acks.Clear();
            responses.Clear();
            AcceptedEvents.AddRange(exchange.EventIds);
            foreach (var action in exchange.Actions)
            {
                var actionId = action["id"]!.GetValue<long>();
                Received.Add(actionId);
                var level = action["service_level"]!.GetValue<int>();
                if (level >= 1)
                {
                    acks.Add(actionId);
                }

                if (level == 2)
                {
                    responses.Add(new { action = actionId, result = new { echo = actionId }, result_code = "Success" });
                }
            }

            return exchange.Actions.Count + acks.Count;
        }
    }
}
