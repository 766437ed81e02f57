using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// Lists read incrementally (CONTRACT.md, "Reading lists incrementally"): newest first, since a
/// time, and by cursor, stable while rows are added; a parameter a list does not know, or a
/// filter value that cannot be one, is a 400 naming it.
/// </summary>
public abstract class IncrementalListTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Events_newest_first_by_cursor_neither_repeat_nor_skip_while_events_are_added()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var device = await session.CreateDeviceAsync("chatty");
        var simulator = new DeviceSimulator(fixture.Platform, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
        var sent = new List<long>();
        for (var wake = 0; wake < 5; wake++)
        {
            sent.AddRange((await simulator.WakeAsync(events: Enumerable.Range(0, 5).Select(i => (object)new { type = "t", payload = new { wake, i } }))).EventIds);
        }

        var read = new List<long>();
        var url = $"/v2/events/?device={device["id"]}&order=-created_at&limit=10";
        var pages = 0;
        while (url is not null)
        {
            var response = await session.Get(url);
            var page = (await ApiSession.Json(response, HttpStatusCode.OK)).AsArray();
            read.AddRange(page.Select(e => e!["id"]!.GetValue<long>()));
            url = Next(response);
            if (++pages == 1)
            {
                // Newer events arrive while the reader pages back: they do not shift what is left.
                await simulator.WakeAsync(events: Enumerable.Range(0, 5).Select(i => (object)new { type = "t", payload = new { late = i } }));
            }
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(sent), read);

        // Since a time: only what came at or after it, counted as such.
        var all = (await ApiSession.Json(await session.Get($"/v2/events/?device={device["id"]}&limit=1000"), HttpStatusCode.OK)).AsArray();
        var cut = all[20]!["created_at"]!.GetValue<string>();
        var since = await session.Get($"/v2/events/?device={device["id"]}&since={Uri.EscapeDataString(cut)}");
        var newer = (await ApiSession.Json(since, HttpStatusCode.OK)).AsArray();
        Assert.Equal(all.Skip(20).Select(e => e!["id"]!.GetValue<long>()), newer.Select(e => e!["id"]!.GetValue<long>()).Where(id => all.Skip(20).Any(a => a!["id"]!.GetValue<long>() == id)));
        Assert.All(newer, e => Assert.True(string.CompareOrdinal(e!["created_at"]!.GetValue<string>(), cut) >= 0));
        Assert.Equal(newer.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), since.Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task Oldest_first_by_cursor_and_actions_and_deliveries_take_the_same()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var device = await session.CreateDeviceAsync("commanded");
        var created = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await session.CreateActionAsync(new { device = new { id = device["id"]!.GetValue<string>() }, type = $"t{i}" }))["id"]!.GetValue<long>());
        }

        var read = new List<long>();
        string? url = "/v2/actions/?limit=3";
        while (url is not null)
        {
            var response = await session.Get(url);
            read.AddRange((await ApiSession.Json(response, HttpStatusCode.OK)).AsArray().Select(a => a!["id"]!.GetValue<long>()));
            url = Next(response);
        }

        Assert.Equal(created, read);
        Assert.Equal(HttpStatusCode.OK, (await session.Get("/v2/webhook-deliveries/?order=-created_at&since=2026-01-01T00:00:00Z")).StatusCode);
    }

    [Theory]
    [InlineData("/v2/events/?colour=red", "colour")]
    [InlineData("/v2/events/?since=yesterday", "since")]
    [InlineData("/v2/events/?order=newest", "order")]
    [InlineData("/v2/events/?after=%21%21", "after")]
    [InlineData("/v2/actions/?after=MTIzLjQ1&offset=10", "after")]
    [InlineData("/v2/devices/?since=2026-01-01T00:00:00Z", "since")]
    [InlineData("/v2/devices/?nmae=typo", "nmae")]
    [InlineData("/v2/organisations/?type=x", "type")]
    [InlineData("/v2/webhook-deliveries/?limit=1001", "limit")]
    [InlineData("/v2/devices/?application=not-a-uuid", "application")]
    [InlineData("/v2/devices/?activated=maybe", "activated")]
    [InlineData("/v2/webhook-deliveries/?status=lost", "status")]
    [InlineData("/v2/updates/?deployment=abc", "deployment")]
    public async Task What_a_list_does_not_take_is_a_400_naming_it(string url, string field)
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var problem = await ApiSession.Problem(await session.Get(url), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]![field]);
    }

    private static string? Next(HttpResponseMessage response)
    {
        var link = response.Headers.TryGetValues("Link", out var values) ? values.Single() : "";
        var next = link.Split(", ").FirstOrDefault(l => l.EndsWith("rel=\"next\"", StringComparison.Ordinal));
        return next is null ? null : new Uri(next[1..next.IndexOf('>', StringComparison.Ordinal)]).PathAndQuery;
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class IncrementalListsOnSqlite(SqlitePlatformFixture fixture) : IncrementalListTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class IncrementalListsOnPostgres(PostgresPlatformFixture fixture) : IncrementalListTests(fixture);
