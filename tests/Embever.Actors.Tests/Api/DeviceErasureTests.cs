using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// Deleting a device erases what it left (CONTRACT.md, "Keeping and deleting data"): its events,
/// actions, files (and their content once no file names it), updates and webhook deliveries are
/// no longer listed or stored within a minute; another device's stay.
/// </summary>
public abstract class DeviceErasureTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_deleted_devices_events_actions_files_and_deliveries_are_erased_and_another_devices_stay()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var hook = new { type = "t", url = "http://127.0.0.1:9/nobody-listens" };
        var gone = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "gone", webhooks = new[] { hook } }), HttpStatusCode.Created);
        var kept = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "kept", webhooks = new[] { hook } }), HttpStatusCode.Created);
        var (goneId, keptId) = (gone["id"]!.GetValue<string>(), kept["id"]!.GetValue<string>());

        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(3000);
        var file = await session.CreateActionAsync(new { device = new { id = goneId }, type = "getFile", payload = new { file = "data:application/octet-stream;base64," + Convert.ToBase64String(content) } });
        var fileId = file["payload"]!["file"]!.GetValue<string>();
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        await session.CreateActionAsync(new { device = new { id = goneId }, type = "setConfig", service_level = 1 });
        var goneDevice = new DeviceSimulator(fixture.Platform, goneId, gone["password"]!.GetValue<string>());
        var events = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            events.AddRange((await goneDevice.WakeAsync(events: Enumerable.Range(0, 400).Select(n => (object)new { type = "t", payload = new { i, n } }))).EventIds);
        }

        var keptEvent = (await new DeviceSimulator(fixture.Platform, keptId, kept["password"]!.GetValue<string>()).WakeAsync(events: [new { type = "t", payload = new { } }])).EventIds.Single();
        Assert.Equal(1200, await CountAsync($"/v2/events/?device={goneId}"));
        Assert.True(await CountAsync($"/v2/webhook-deliveries/?device={goneId}") >= 1200);

        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/devices/{goneId}/")).StatusCode);

        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline && await StoredAsync(goneId, fileId, sha256) > 0)
        {
            await Task.Delay(250);
        }

        Assert.Equal(0, await StoredAsync(goneId, fileId, sha256));
        Assert.Equal(0, await CountAsync($"/v2/events/?device={goneId}"));
        Assert.Equal(0, await CountAsync($"/v2/actions/?device={goneId}"));
        Assert.Equal(0, await CountAsync($"/v2/webhook-deliveries/?device={goneId}"));
        Assert.Equal(HttpStatusCode.NotFound, (await session.Get($"/v2/events/{events[0]}/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await session.Get($"/v2/actions/{file["id"]}/")).StatusCode);

        // The other device's event and deliveries stay.
        Assert.Equal(HttpStatusCode.OK, (await session.Get($"/v2/events/{keptEvent}/")).StatusCode);
        Assert.Equal(1, await CountAsync($"/v2/events/?device={keptId}"));
        Assert.True(await CountAsync($"/v2/webhook-deliveries/?device={keptId}") >= 1);

        async Task<long> CountAsync(string url)
        {
            var response = await session.Get(url);
            await ApiSession.Json(response, HttpStatusCode.OK);
            return long.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The device's rows left in the store, with its file and the file's content.</summary>
    private async Task<long> StoredAsync(string device, string fileId, string sha256)
    {
        var database = fixture.Platform.Store.Database;
        long total = 0;
        foreach (var table in new[] { "events", "actions", "updates", "webhook_deliveries", "dtls_sessions" })
        {
            total += await database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE device_id = @d", p => p.Add("d", device));
        }

        total += await database.ScalarAsync<long>("SELECT count(*) FROM files WHERE id = @f", p => p.Add("f", fileId));
        total += await database.ScalarAsync<long>("SELECT count(*) FROM blobs WHERE sha256 = @s", p => p.Add("s", sha256));
        total += await database.ScalarAsync<long>("SELECT count(*) FROM blob_chunks WHERE sha256 = @s", p => p.Add("s", sha256));
        total += await database.ScalarAsync<long>("SELECT count(*) FROM device_erasures WHERE device_id = @d", p => p.Add("d", device));
        return total;
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class DeviceErasureOnSqlite(SqlitePlatformFixture fixture) : DeviceErasureTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class DeviceErasureOnPostgres(PostgresPlatformFixture fixture) : DeviceErasureTests(fixture);
