using System.Data.Common;
using System.Net;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// When the store has no room for more work, the API says so over the wire: 503 with
/// <c>Retry-After</c> and a problem naming what ran out, at once — never a 500, never a long wait —
/// and answers again as soon as there is room (a full list queue; a pool that ran dry).
/// </summary>
public abstract class OverloadTests(StoreKind kind)
{
    private static async Task<JsonProblem> BusyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.True(response.Headers.RetryAfter!.Delta >= TimeSpan.FromSeconds(1));
        var problem = await ApiSession.Problem(response, HttpStatusCode.ServiceUnavailable);
        return new JsonProblem(problem["resource"]!.GetValue<string>(), problem["detail"]!.GetValue<string>());
    }

    private sealed record JsonProblem(string Resource, string Detail);

    [Fact]
    public async Task A_full_list_queue_is_answered_503_with_retry_after_at_once_and_lists_answer_again_when_it_drains()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        await using var platform = await PlatformInstance.StartAsync(store,
            [.. PlatformFixture.FastArguments, "--Embever:Store:ListWorkers=1", "--Embever:Store:ListQueue=1", "--Embever:Store:QueueWait=00:00:30"]);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "listed" }), HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        Assert.Single((await ApiSession.Json(await session.Get("/v2/devices/"), HttpStatusCode.OK)).AsArray());

        // The one list worker held, the one place in its queue taken.
        var lists = platform.Services.GetRequiredService<Database>().Lists;
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = lists.RunAsync(async (_, _) =>
        {
            running.TrySetResult();
            return await release.Task;
        });
        await running.Task;
        var queued = lists.RunAsync((_, _) => release.Task);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var busy = await BusyAsync(await session.Get("/v2/devices/?type=other"));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2));
        Assert.Equal("lists queue", busy.Resource);
        await BusyAsync(await session.Get("/v2/actions/"));

        // Nothing else is refused: a single device is still read (not a list).
        Assert.Equal("listed", (await ApiSession.Json(await session.Get($"/v2/devices/{id}/"), HttpStatusCode.OK))["name"]!.GetValue<string>());

        release.SetResult(true);
        Assert.True(await holder);
        Assert.True(await queued);
        Assert.Single((await ApiSession.Json(await session.Get("/v2/devices/?type=other"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task A_pool_that_ran_dry_is_answered_503_naming_the_connections_and_the_next_request_succeeds()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        string[] tight = kind == StoreKind.Sqlite
            ? ["--Embever:Store:PooledConnections=2", "--Embever:Store:ConnectionWait=00:00:00.500"]
            : [$"--Embever:ConnectionString={store.ConnectionString};Maximum Pool Size=40;Timeout=3"];
        await using var platform = await PlatformInstance.StartAsync(store, [.. PlatformFixture.FastArguments, .. tight]);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var application = (await session.CreateApplicationAsync("doomed"))["id"]!.GetValue<string>();
        var database = platform.Services.GetRequiredService<Database>();

        // Take every connection the pool will give, then ask for work that needs one more:
        // on SQLite deleting an application (a guarded delete on a pooled connection), on PostgreSQL a list too.
        var held = new List<DbConnection>();
        try
        {
            while (true)
            {
                try
                {
                    held.Add(await database.OpenAsync());
                }
                catch (StoreBusyException)
                {
                    break;
                }
            }

            Assert.NotEmpty(held);
            Assert.Equal("database connections", (await BusyAsync(await session.Delete($"/v2/applications/{application}/"))).Resource);
            if (kind == StoreKind.PostgreSql)
            {
                Assert.Equal("database connections", (await BusyAsync(await session.Get("/v2/devices/"))).Resource);
            }
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/applications/{application}/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.Get("/v2/devices/")).StatusCode);
    }
}

public sealed class OverloadOnSqlite() : OverloadTests(StoreKind.Sqlite)
{
    [Fact]
    public async Task Lists_past_the_silos_list_rate_are_answered_503_at_once_while_devices_and_single_objects_are_served()
    {
        var store = await StoreUnderTest.CreateAsync(StoreKind.Sqlite);
        await using var platform = await PlatformInstance.StartAsync(store,
            [.. PlatformFixture.FastArguments, "--Embever:Lists:PerSecond=0.5", "--Embever:Lists:Burst=3"]);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var device = await DeviceSimulator.CreateAsync(platform, session, "awake");

        // The burst is served; the lists after it, of any collection, are refused before the store is asked.
        var answers = new List<HttpResponseMessage>();
        foreach (var path in new[] { "/v2/devices/", "/v2/actions/", "/v2/events/", "/v2/devices/", "/v2/applications/", "/v2/webhook-deliveries/" })
        {
            answers.Add(await session.Get(path));
        }

        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        var refused = answers.Where(a => a.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(3, refused.Count);
        foreach (var answer in refused)
        {
            var problem = await ApiSession.Problem(answer, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("list rate", problem["resource"]!.GetValue<string>());
            Assert.True(answer.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        // Devices and single objects do not draw from the list rate.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await device.SendAsync(new { })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await session.Get($"/v2/devices/{device.Id}/")).StatusCode);
        }

        // The bucket refills: a list is served again once Retry-After has passed (a token every 2 s).
        await Task.Delay(refused[^1].Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.OK, (await session.Get("/v2/devices/")).StatusCode);
    }
}

public sealed class OverloadOnPostgres() : OverloadTests(StoreKind.PostgreSql);
