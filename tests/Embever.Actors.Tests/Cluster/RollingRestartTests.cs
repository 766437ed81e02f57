using System.Collections.Concurrent;
using System.Net;
using Embever.Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Cluster;

/// <summary>Every silo restarted in turn under light load: only the silo going down may fail a request.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_rolling_restart_under_light_load_fails_no_request_elsewhere_and_loses_nothing()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        var token = cluster.OrganisationToken();
        var restarting = new ConcurrentDictionary<string, bool>();
        var served = new ConcurrentBag<(string Silo, int Status, bool Restarting)>();
        var errors = new ConcurrentBag<string>();
        var access = await new ClusterClient(cluster).AccessTokenAsync(token);

        // Each request goes to one silo, chosen in turn; the test records where it went and what came back.
        var turn = 0;
        async Task<HttpResponseMessage?> SendAsync(HttpRequestMessage request)
        {
            var live = cluster.Live;
            var silo = live[Interlocked.Increment(ref turn) % live.Count];
            using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(40) };
            var wasRestarting = restarting.ContainsKey(silo.Name);
            try
            {
                var path = request.RequestUri;
                var response = await http.SendAsync(request);
                served.Add((silo.Name, (int)response.StatusCode, wasRestarting || restarting.ContainsKey(silo.Name)));
                if ((int)response.StatusCode >= 500)
                {
                    errors.Add($"{silo.Name} {path} {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                return response;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                served.Add((silo.Name, 0, wasRestarting || restarting.ContainsKey(silo.Name)));
                return null;
            }
        }

        HttpRequestMessage Api(HttpMethod method, string path, object? body)
        {
            var message = ClusterClient.Json(method, path, body);
            message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
            return message;
        }

        var devices = new List<(string Id, string Password)>();
        for (var i = 0; i < 10; i++)
        {
            HttpResponseMessage? response;
            while ((response = await SendAsync(Api(HttpMethod.Post, "/v2/devices/", new { name = $"rolling-{i}" }))) is null || !response.IsSuccessStatusCode)
            {
                await Task.Delay(100);
            }

            var device = await ApiSession.Json(response, HttpStatusCode.Created);
            devices.Add((device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>()));
        }

        // Light load: actions created for random devices, devices waking and acknowledging.
        var created = new ConcurrentDictionary<long, bool>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (id, password) = devices[Random.Shared.Next(devices.Count)];
                var response = await SendAsync(Api(HttpMethod.Post, "/v2/actions/", new { device = new { id }, type = $"t{Random.Shared.Next(3)}", service_level = 1 }));
                if (response?.StatusCode == HttpStatusCode.Created)
                {
                    created[(await ApiSession.Json(response, HttpStatusCode.Created))["id"]!.GetValue<long>()] = true;
                }

                await WakeAsync(SendAsync, id, password);
                await Task.Delay(50);
            }
        });

        foreach (var name in cluster.Silos.Select(s => s.Name).ToList())
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            restarting[name] = true;
            await cluster.Silos.Single(s => s.Name == name).StopAsync();
            var restarted = cluster.Launch(name);
            await restarted.WaitReadyAsync();
            restarting.TryRemove(name, out _);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await load;

        // Drain: every device wakes until it has nothing left; every created action finishes.
        foreach (var (id, password) in devices)
        {
            for (var round = 0; round < 10 && await WakeAsync(SendAsync, id, password) > 0; round++)
            {
            }
        }

        foreach (var id in created.Keys)
        {
            HttpResponseMessage? response;
            while ((response = await SendAsync(Api(HttpMethod.Get, $"/v2/actions/{id}/", null))) is null || !response.IsSuccessStatusCode)
            {
                await Task.Delay(100);
            }

            var action = await ApiSession.Json(response, HttpStatusCode.OK);
            Assert.True(action["finished"]!.GetValue<bool>(), $"action {id} did not finish: {action.ToJsonString()}");
        }

        var elsewhere = served.Where(s => !s.Restarting).ToList();
        var failedElsewhere = elsewhere.Where(s => s.Status is 0 or >= 500).ToList();
        output.WriteLine($"requests: {served.Count}, to a restarting silo: {served.Count(s => s.Restarting)}, failed elsewhere: {failedElsewhere.Count}, actions: {created.Count}");
        Console.WriteLine($"[rolling restart] requests {served.Count}, to restarting silos {served.Count(s => s.Restarting)}, 5xx elsewhere {failedElsewhere.Count}, actions {created.Count}");
        foreach (var error in errors)
        {
            output.WriteLine(error);
        }

        Assert.True(failedElsewhere.Count == 0, string.Join("\n", errors) + "\n" + string.Join("\n", cluster.Silos.Select(s => $"--- {s.Name}\n{s.RecentLog}")));
        Assert.NotEmpty(created);
    }

    private static readonly ConcurrentDictionary<string, List<long>> PendingAcks = new();

    /// <summary>One wakeup of a device; reports it could not send are kept for the next one.</summary>
    private static async Task<int> WakeAsync(Func<HttpRequestMessage, Task<HttpResponseMessage?>> send, string id, string password)
    {
        var acks = PendingAcks.GetOrAdd(id, _ => []);
        List<long> sending;
        lock (acks)
        {
            sending = [.. acks];
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/exchange") { Content = System.Net.Http.Json.JsonContent.Create(new { acks = sending }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{id}:{password}")));
        var response = await send(request);
        if (response is null || !response.IsSuccessStatusCode)
        {
            return 1;
        }

        var exchange = new DeviceSimulator.Exchange(await ApiSession.Json(response, HttpStatusCode.OK));
        lock (acks)
        {
            acks.RemoveAll(sending.Contains);
            acks.AddRange(exchange.ActionIds);
        }

        return exchange.ActionIds.Count + sending.Count;
    }
}
