using System.Net;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// Deleting an application or an organisation (CONTRACT.md, "Keeping and deleting data"):
/// refused while devices are linked to it; once allowed, what it held is erased within a minute
/// and what others hold stays.
/// </summary>
public abstract class TenantErasureTests(PlatformFixture fixture)
{
    private Database Database => fixture.Platform.Store.Database;

    [Fact]
    public async Task A_deleted_applications_deliveries_are_erased_and_its_former_devices_keep_theirs()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var app = await ApiSession.Json(await session.Post("/v2/applications/", new { alias = "going", secret = "s" }), HttpStatusCode.Created);
        var appId = app["id"]!.GetValue<string>();
        var device = await ApiSession.Json(await session.Post("/v2/devices/", new
        {
            name = "moved", application = appId, webhooks = new[] { new { type = "t", url = "http://127.0.0.1:9/nobody-listens" } },
        }), HttpStatusCode.Created);
        var simulator = new DeviceSimulator(fixture.Platform, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
        var eventId = (await simulator.WakeAsync(events: Enumerable.Range(0, 20).Select(i => (object)new { type = "t", payload = new { i } }))).EventIds[0];
        Assert.Equal(20, await CountAsync("SELECT count(*) FROM webhook_deliveries WHERE application_id = @v", appId));

        Assert.Equal(HttpStatusCode.Conflict, (await session.Delete($"/v2/applications/{appId}/")).StatusCode);
        await ApiSession.Json(await session.Patch($"/v2/devices/{simulator.Id}/", new { application = (string?)null }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/applications/{appId}/")).StatusCode);

        await EventuallyAsync(async () => await CountAsync("SELECT count(*) FROM webhook_deliveries WHERE application_id = @v", appId) == 0);
        await EventuallyAsync(async () => await CountAsync("SELECT count(*) FROM tenant_erasures WHERE application_id = @v", appId) == 0);
        Assert.Equal(HttpStatusCode.NotFound, (await session.Get($"/v2/applications/{appId}/")).StatusCode);

        // The device left the application before: its events are its own and stay.
        Assert.Equal(HttpStatusCode.OK, (await session.Get($"/v2/events/{eventId}/")).StatusCode);
    }

    [Fact]
    public async Task A_deleted_organisation_stops_its_tokens_at_once_and_is_erased_whole_and_another_stays()
    {
        var (organisationId, session, _) = await fixture.NewOrganisationAsync();
        var (otherId, other, _) = await fixture.NewOrganisationAsync();
        foreach (var tenant in new[] { session, other })
        {
            await ApiSession.Json(await tenant.Post("/v2/applications/", new { alias = "app", secret = "s" }), HttpStatusCode.Created);
            await ApiSession.Json(await tenant.Post("/v2/firmwares/", new
            {
                version = "1.0", alias = "fw", dest = "APP", file = "data:application/octet-stream;base64," + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5000)),
            }), HttpStatusCode.Created);
            var device = await ApiSession.Json(await tenant.Post("/v2/devices/", new
            {
                name = "d", webhooks = new[] { new { type = "t", url = "http://127.0.0.1:9/nobody-listens" } },
            }), HttpStatusCode.Created);
            var simulator = new DeviceSimulator(fixture.Platform, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
            await simulator.WakeAsync(events: [new { type = "t", payload = new { } }]);
            await tenant.CreateActionAsync(new { device = new { id = simulator.Id }, type = "getFile", payload = new { file = "data:text/plain;base64," + Convert.ToBase64String("hello"u8.ToArray()) } });
            if (tenant == session)
            {
                // Refused while a device belongs to it; the device's own rows go with the device.
                Assert.Equal(HttpStatusCode.Conflict, (await fixture.Operator.Delete($"/v2/organisations/{organisationId}/")).StatusCode);
                Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/devices/{simulator.Id}/")).StatusCode);
            }
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await session.Delete($"/v2/organisations/{organisationId}/")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Operator.Delete($"/v2/organisations/{organisationId}/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Operator.Delete($"/v2/organisations/{organisationId}/")).StatusCode);

        // Its tokens stop at once; the operator no longer lists it.
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Get("/v2/devices/")).StatusCode);
        var listed = (await ApiSession.Json(await fixture.Operator.Get("/v2/organisations/?limit=1000"), HttpStatusCode.OK)).AsArray();
        Assert.DoesNotContain(listed, o => o!["id"]!.GetValue<string>() == organisationId);

        string[] tables = ["applications", "tokens", "devices", "files", "firmwares", "deployments", "updates", "events", "actions", "webhook_deliveries", "device_counts"];
        await EventuallyAsync(async () =>
        {
            foreach (var table in tables)
            {
                if (await CountAsync($"SELECT count(*) FROM {table} WHERE organisation_id = @v", organisationId) > 0)
                {
                    return false;
                }
            }

            return await CountAsync("SELECT count(*) FROM tenant_erasures WHERE organisation_id = @v", organisationId) == 0;
        });

        // The other organisation keeps everything.
        foreach (var table in new[] { "applications", "files", "firmwares", "events", "actions", "webhook_deliveries" })
        {
            Assert.True(await CountAsync($"SELECT count(*) FROM {table} WHERE organisation_id = @v", otherId) > 0, table);
        }

        Assert.Equal(HttpStatusCode.OK, (await other.Get("/v2/firmwares/")).StatusCode);
    }

    private async Task<long> CountAsync(string sql, string value) => await Database.ScalarAsync<long>(sql, p => p.Add("v", value));

    private static async Task EventuallyAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not erased within a minute");
            await Task.Delay(250);
        }
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class TenantErasureOnSqlite(SqlitePlatformFixture fixture) : TenantErasureTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class TenantErasureOnPostgres(PostgresPlatformFixture fixture) : TenantErasureTests(fixture);
