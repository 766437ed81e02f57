using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Abuse;

/// <summary>
/// An action's payload and one exchange's events are at most the organisation's payload limit
/// (64 KiB unless the operator sets otherwise): one byte over is a 413 naming the limit and
/// stores nothing, and a hundred requests at the limit at once cost the silo little memory.
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
public sealed class PayloadLimitTests(ITestOutputHelper output)
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task An_action_payload_at_the_limit_is_taken_and_one_byte_over_is_a_413_naming_the_limit_that_stores_nothing()
    {
        await using var platform = await PlatformInstance.StartAsync(await StoreUnderTest.CreateAsync(StoreKind.Sqlite), PlatformFixture.FastArguments);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var device = await session.CreateDeviceAsync("limited");
        var id = device["id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Created, (await session.Post("/v2/actions/", Action(id, "atLimit", Limit))).StatusCode);
        var over = await session.Post("/v2/actions/", Action(id, "overLimit", Limit + 1));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await over.Content.ReadAsStringAsync())!;
        Assert.Equal(Limit, problem["limit"]!.GetValue<long>());
        Assert.Contains($"{Limit} bytes", problem["detail"]!.GetValue<string>());
        var actions = await ApiSession.Json(await session.Get($"/v2/actions/?device={id}"), HttpStatusCode.OK);
        Assert.Equal(["atLimit"], actions.AsArray().Select(a => a!["type"]!.GetValue<string>()));

        // One exchange's events: at the limit taken, one byte over refused and not stored.
        var simulator = new DeviceSimulator(platform, id, device["password"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await simulator.SendAsync(Events(Limit))).StatusCode);
        var refused = await simulator.SendAsync(Events(Limit + 1));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains($"{Limit} bytes", await refused.Content.ReadAsStringAsync());
        Assert.Single((await ApiSession.Json(await session.Get($"/v2/events/?device={id}"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task The_operator_sets_an_organisation_its_own_limit()
    {
        var store = await StoreUnderTest.CreateAsync(StoreKind.Sqlite);
        Guid organisation;
        await using (var first = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments))
        {
            var session = await ApiSession.AuthenticateAsync(first, first.ReadTokenFile("org-token"));
            organisation = Guid.Parse((await ApiSession.Json(await session.Get("/v2/organisations/"), HttpStatusCode.OK)).AsArray().Single()!["id"]!.GetValue<string>());
            await first.StopAsync();
        }

        await using var platform = await PlatformInstance.StartAsync(store, [.. PlatformFixture.FastArguments, "--Embever:Limits:PayloadBytes=1024", $"--Embever:Limits:Organisations:{organisation}=4096"]);
        var again = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var id = (await again.CreateDeviceAsync("own-limit"))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Created, (await again.Post("/v2/actions/", Action(id, "overThePlatformsLimit", 2000))).StatusCode);
        var over = await again.Post("/v2/actions/", Action(id, "overItsOwn", 4097));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("4096 bytes", await over.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_hundred_actions_at_the_limit_at_once_raise_the_working_set_by_less_than_200_MB()
    {
        await using var silo = await CrashableSilo.StartAsync(StoreKind.Sqlite);
        var session = await silo.SessionAsync();
        using var operatorHttp = new HttpClient { BaseAddress = silo.BaseAddress };
        var access = await ApiSession.Json(await operatorHttp.PostAsJsonAsync("/v2/authenticate/", new { application_token = silo.ReadTokenFile("operator-token") }), HttpStatusCode.OK);
        operatorHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access["access"]!.GetValue<string>());
        async Task<long> WorkingSetAsync() => (await ApiSession.Json(await operatorHttp.GetAsync("/v2/diagnostics/?collect=false"), HttpStatusCode.OK))["working_set_bytes"]!.GetValue<long>();

        var devices = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            devices.Add((await session.CreateDeviceAsync($"big-{i}"))["id"]!.GetValue<string>());
        }

        // Warm the path, then a hundred at once, twice; and a hundred one byte over.
        Assert.Equal(HttpStatusCode.Created, (await session.Post("/v2/actions/", Action(devices[0], "warm", Limit))).StatusCode);
        var before = await WorkingSetAsync();
        var most = before;
        for (var round = 0; round < 2; round++)
        {
            var answers = await Task.WhenAll(devices.Select(d => session.Post("/v2/actions/", Action(d, $"big{round}", Limit))));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
            most = Math.Max(most, await WorkingSetAsync());
        }

        var refused = await Task.WhenAll(devices.Select(d => session.Post("/v2/actions/", Action(d, "over", Limit + 1))));
        Assert.All(refused, a => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, a.StatusCode));
        most = Math.Max(most, await WorkingSetAsync());

        var rise = (most - before) / 1024.0 / 1024;
        output.WriteLine($"100 actions of {Limit} bytes at once, twice, and 100 one byte over: working set {before / 1024.0 / 1024:N0} MB → at most {most / 1024.0 / 1024:N0} MB (+{rise:N0} MB)");
        Assert.True(rise < 200, $"the working set rose by {rise:N0} MB");
    }

    /// <summary>An action whose payload is exactly <paramref name="bytes"/> of JSON: <c>{"d":"xx…"}</c>.</summary>
    private static object Action(string device, string type, int bytes) =>
        new { device = new { id = device }, type, payload = new { d = new string('x', bytes - 8) } };

    /// <summary>One event whose type and payload are exactly <paramref name="bytes"/> of JSON.</summary>
    private static object Events(int bytes) =>
        new { events = new[] { new { type = "t", payload = new { d = new string('x', bytes - 1 - 8) } } } };
}
