using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Retention;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// Retention (CONTRACT.md, "Keeping and deleting data"): periods set per organisation and
/// application inherit down to the operator's, never shorter than the minimum; the sweeper
/// deletes what is past its period in force, and never an unfinished action or a pending delivery.
/// </summary>
public abstract class RetentionTests(StoreKind kind)
{
    [Fact]
    public async Task Periods_inherit_from_application_to_organisation_to_the_operator_and_the_minimum_holds()
    {
        await using var platform = await PlatformInstance.StartAsync(await StoreUnderTest.CreateAsync(kind), PlatformFixture.FastArguments);
        var operatorSession = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("operator-token"));
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var organisation = (await ApiSession.Json(await session.Get("/v2/organisations/"), HttpStatusCode.OK)).AsArray().Single()!;
        var url = $"/v2/organisations/{organisation["id"]}/";

        // Nothing set: the operator's defaults are in force.
        Assert.Null(organisation["retention"]!["events"]);
        Assert.Equal("P365D", organisation["retention_in_force"]!["events"]!.GetValue<string>());
        Assert.Equal("P365D", organisation["retention_in_force"]!["finished_actions"]!.GetValue<string>());
        Assert.Equal("P30D", organisation["retention_in_force"]!["webhook_deliveries"]!.GetValue<string>());

        var patched = await ApiSession.Json(await session.Patch(url, new { retention = new { events = "P90D" } }), HttpStatusCode.OK);
        Assert.Equal("P90D", patched["retention"]!["events"]!.GetValue<string>());
        Assert.Equal("P90D", patched["retention_in_force"]!["events"]!.GetValue<string>());

        var app = await ApiSession.Json(
            await session.Post("/v2/applications/", new { alias = "telemetry", secret = "s", retention = new { finished_actions = "P7D" } }), HttpStatusCode.Created);
        Assert.Null(app["retention"]!["events"]);
        Assert.Equal("P7D", app["retention"]!["finished_actions"]!.GetValue<string>());
        Assert.Equal("P90D", app["retention_in_force"]!["events"]!.GetValue<string>());
        Assert.Equal("P7D", app["retention_in_force"]!["finished_actions"]!.GetValue<string>());
        Assert.Equal("P30D", app["retention_in_force"]!["webhook_deliveries"]!.GetValue<string>());

        // The organisation's own settings cleared ({}): the application inherits the operator's again.
        await ApiSession.Json(await session.Patch(url, new { retention = new { } }), HttpStatusCode.OK);
        var read = await ApiSession.Json(await session.Get($"/v2/applications/{app["id"]}/"), HttpStatusCode.OK);
        Assert.Equal("P365D", read["retention_in_force"]!["events"]!.GetValue<string>());
        Assert.Equal("P7D", read["retention_in_force"]!["finished_actions"]!.GetValue<string>());

        // Shorter than the minimum (an hour), or not a duration: 400 naming the member, nothing changed.
        var tooShort = await ApiSession.Problem(await session.Patch(url, new { retention = new { events = "PT30M" } }), HttpStatusCode.BadRequest);
        Assert.Contains("PT1H", tooShort["errors"]!["retention.events"]![0]!.GetValue<string>());
        var notDuration = await ApiSession.Problem(
            await session.Patch($"/v2/applications/{app["id"]}/", new { retention = new { webhook_deliveries = "30 days" } }), HttpStatusCode.BadRequest);
        Assert.NotNull(notDuration["errors"]!["retention.webhook_deliveries"]);
        await ApiSession.Problem(await session.Patch(url, new { retention = new { events = "-P1D" } }), HttpStatusCode.BadRequest);
        await ApiSession.Problem(await session.Patch(url, new { retention = new { kept = "P1D" } }), HttpStatusCode.BadRequest);
        Assert.Null((await ApiSession.Json(await session.Get(url), HttpStatusCode.OK))["retention"]!["events"]);
        Assert.Equal("P7D", (await ApiSession.Json(await session.Get($"/v2/applications/{app["id"]}/"), HttpStatusCode.OK))["retention"]!["finished_actions"]!.GetValue<string>());

        // The operator sets an organisation's retention when creating it.
        var created = await ApiSession.Json(
            await operatorSession.Post("/v2/organisations/", new { name = "kept briefly", retention = new { webhook_deliveries = "P1D" } }), HttpStatusCode.Created);
        Assert.Equal("P1D", created["retention_in_force"]!["webhook_deliveries"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_sweep_deletes_what_is_past_its_period_and_keeps_unfinished_actions_pending_deliveries_and_longer_applications()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var platform = await PlatformInstance.StartAsync(await StoreUnderTest.CreateAsync(kind),
            [.. PlatformFixture.FastArguments, "--Embever:Retention:Minimum=00:00:01", "--Embever:Retention:SweepInterval=00:00:01"]);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var organisation = (await ApiSession.Json(await session.Get("/v2/organisations/"), HttpStatusCode.OK)).AsArray().Single()!;
        var everything = new { events = "PT2S", finished_actions = "PT2S", webhook_deliveries = "PT2S" };
        await ApiSession.Json(await session.Patch($"/v2/organisations/{organisation["id"]}/", new { retention = everything }), HttpStatusCode.OK);

        // "kept": an application whose events are kept a day; "short": one that inherits the organisation's seconds.
        var kept = await ApiSession.Json(await session.Post("/v2/applications/", new { alias = "kept", secret = "s", retention = new { events = "P1D" } }), HttpStatusCode.Created);
        var hooks = new[] { new { type = "t", url = receiver.Url("/hook") } };
        var loose = await NewDeviceAsync("loose", null);
        var keptDevice = await NewDeviceAsync("kept", kept["id"]!.GetValue<string>());

        var looseEvents = (await loose.WakeAsync(events: Enumerable.Range(0, 30).Select(i => (object)new { type = "t", payload = new { i } }))).EventIds;
        var keptEvents = (await keptDevice.WakeAsync(events: [new { type = "t", payload = new { } }])).EventIds;
        var cancelled = await session.CreateActionAsync(new { device = new { id = loose.Id }, type = "old", service_level = 1 });
        await ApiSession.Json(await session.Patch($"/v2/actions/{cancelled["id"]}/", new { cancelled = true }), HttpStatusCode.OK);
        var waiting = await session.CreateActionAsync(new { device = new { id = loose.Id }, type = "waiting", service_level = 1 });

        // Every delivery delivered, one left pending (its receiver holds it) before the period passes.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && receiver.Received.Count < 31)
        {
            await Task.Delay(100);
        }

        Assert.Equal(31, receiver.Received.Count);
        var database = platform.Services.GetRequiredService<Database>();
        var pendingId = await database.ScalarAsync<long>("SELECT max(id) FROM webhook_deliveries");
        await database.ExecuteAsync("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @far WHERE id = @id",
            p => p.Add("far", long.MaxValue / 2).Add("id", pendingId));

        var sweeper = platform.Services.GetRequiredService<RetentionSweeper>();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var sweeps = sweeper.Sweeps;
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && sweeper.Sweeps < sweeps + 2)
        {
            await Task.Delay(100);
        }

        // The loose device's events went; the kept application's event stayed.
        Assert.Equal(0, await CountAsync($"/v2/events/?device={loose.Id}"));
        Assert.Equal(HttpStatusCode.NotFound, (await session.Get($"/v2/events/{looseEvents[0]}/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.Get($"/v2/events/{keptEvents.Single()}/")).StatusCode);

        // The cancelled action went, the waiting one stays whatever its age.
        Assert.Equal(HttpStatusCode.NotFound, (await session.Get($"/v2/actions/{cancelled["id"]}/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.Get($"/v2/actions/{waiting["id"]}/")).StatusCode);

        // Delivered deliveries went; the pending one is still the outbox's.
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM webhook_deliveries"));
        Assert.Equal(pendingId, await database.ScalarAsync<long>("SELECT id FROM webhook_deliveries"));
        Assert.NotNull(sweeper.OldestKept("events"));

        async Task<DeviceSimulator> NewDeviceAsync(string name, string? application)
        {
            var device = await ApiSession.Json(await session.Post("/v2/devices/", new { name, application, webhooks = hooks }), HttpStatusCode.Created);
            return new DeviceSimulator(platform, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
        }

        async Task<long> CountAsync(string url)
        {
            var response = await session.Get(url);
            await ApiSession.Json(response, HttpStatusCode.OK);
            return long.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

public sealed class RetentionOnSqlite() : RetentionTests(StoreKind.Sqlite);

public sealed class RetentionOnPostgres() : RetentionTests(StoreKind.PostgreSql);
