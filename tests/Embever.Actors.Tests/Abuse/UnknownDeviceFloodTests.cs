using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Abuse;

/// <summary>
/// An unauthenticated caller costs almost nothing: made-up device ids activate no grain and
/// leave memory flat, and callers that ask too often get 429 with Retry-After (default limits).
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
public sealed class UnknownDeviceFloodTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Fifty_thousand_exchanges_with_made_up_device_ids_activate_no_grain_and_keep_the_heap_flat()
    {
        await using var silo = await CrashableSilo.StartAsync(StoreKind.Sqlite);
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var operatorToken = await ApiSession.Json(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = silo.ReadTokenFile("operator-token") }), HttpStatusCode.OK);
        async Task<JsonNode> DiagnosticsAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/diagnostics/?collect=true");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken["access"]!.GetValue<string>());
            return await ApiSession.Json(await http.SendAsync(request), HttpStatusCode.OK);
        }

        static long Devices(JsonNode d) => d["activations"]!.AsObject().Where(a => a.Key.Contains("device", StringComparison.OrdinalIgnoreCase)).Sum(a => a.Value!.GetValue<long>());

        // Warm up the paths the flood takes, so what is measured is what the flood leaves behind.
        await FloodAsync(http, 2_000);
        var before = await DiagnosticsAsync();
        var refused = await FloodAsync(http, 50_000);
        var after = await DiagnosticsAsync();

        var grown = after["gc_heap_bytes"]!.GetValue<long>() - before["gc_heap_bytes"]!.GetValue<long>();
        output.WriteLine($"50,000 made-up ids: {refused:N0} refused with 401; device activations {Devices(before)} → {Devices(after)}; heap {before["gc_heap_bytes"]} → {after["gc_heap_bytes"]} bytes ({grown / 1024.0 / 1024:N1} MB)");
        Assert.Equal(50_000, refused);
        Assert.Equal(0, Devices(after));
        Assert.True(grown < 8 * 1024 * 1024, $"the heap grew by {grown:N0} bytes");
    }

    [Fact]
    public async Task A_device_or_an_address_that_asks_too_often_gets_429_with_retry_after()
    {
        await using var silo = await CrashableSilo.StartAsync(
            StoreKind.Sqlite,
            "--Embever:Gateway:DeviceBurst=5", "--Embever:Gateway:DevicePerSecond=1",
            "--Embever:Auth:AuthenticateBurst=5", "--Embever:Auth:AuthenticatePerSecond=1");
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var organisationToken = silo.ReadTokenFile("org-token");
        var access = await ApiSession.Json(await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = organisationToken }), HttpStatusCode.OK);
        var session = new HttpClient { BaseAddress = silo.BaseAddress };
        session.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access["access"]!.GetValue<string>());
        var device = await ApiSession.Json(await session.PostAsJsonAsync("/v2/devices/", new { name = "chatty" }), HttpStatusCode.Created);
        var simulator = new DeviceSimulator(silo.BaseAddress, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            answers.Add(await simulator.SendAsync(new { }));
        }

        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {limited.Headers.RetryAfter}");
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(HttpStatusCode.OK, (await simulator.SendAsync(new { })).StatusCode);

        var attempts = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            attempts.Add((await http.PostAsJsonAsync("/v2/authenticate/", new { application_token = "not-a-token" })).StatusCode);
        }

        Assert.Contains(HttpStatusCode.Unauthorized, attempts);
        Assert.Contains(HttpStatusCode.TooManyRequests, attempts);
    }

    /// <summary>Exchanges with random ids, 32 at a time; how many were refused with 401.</summary>
    private static async Task<int> FloodAsync(HttpClient http, int count)
    {
        var refused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, _) =>
        {
            var id = Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..8].Replace('+', '-').Replace('/', '_');
            using var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/exchange") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:password")));
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                Interlocked.Increment(ref refused);
            }
        });
        return refused;
    }
}
