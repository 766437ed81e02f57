using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Device.Link;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Upgrade;

/// <summary>
/// A database made by release b299384 (device state in Orleans grain storage; see
/// Fixtures/upgrade-b299384) opens with this release: the migrations apply once, and every
/// device, action, event and deployment it held works as before.
/// </summary>
public abstract class UpgradeFromReleaseTests(StoreKind kind)
{
    private string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "upgrade-b299384", kind == StoreKind.Sqlite ? "sqlite" : "postgresql");

    [Fact]
    public async Task A_database_of_release_b299384_opens_and_every_device_works_as_before()
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Fixture, "manifest.json")))!;
        var store = await StoreUnderTest.FromFixtureAsync(kind, Fixture);

        // A delivery of the old outbox (device_id NOT NULL, a snapshot for its body then):
        // 009 renders its body, 011_deployment_webhooks rebuilds the table on SQLite, and the row
        // must come through both whole.
        await store.Database.ExecuteAsync(
            "INSERT INTO webhook_deliveries (id, organisation_id, device_id, event_id, trigger, url, payload_only, status, attempts, next_attempt_at, deadline_at, last_status_code, created_at, delivered_at, snapshot) " +
            "VALUES (900001, 'org', 'dev', 7, 'temp', 'http://receiver.test/', @yes, 'delivered', 1, 5, 6, 204, 3, 4, @snapshot)",
            p => p.Add("yes", true).Add("snapshot", """{"Event": {"Id": 7, "DeviceId": "dev", "OrganisationId": "6a1c5e0e-0000-4000-8000-000000000001", "Type": "temp", "PayloadJson": "{\"c\":21}", "CreatedAt": "2026-01-01T00:00:00Z"}}"""));
        List<(string, string, long)> migrations;
        await using (var first = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments))
        {
            var session = await ApiSession.AuthenticateAsync(first, manifest["org_token"]!.GetValue<string>());
            Device Named(string name) => new(manifest["devices"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == name)!);
            DeviceSimulator Simulator(string name) => new(first, Named(name).Id, Named(name).Password);

            var listed = (await ApiSession.Json(await session.Get("/v2/devices/?limit=100"), HttpStatusCode.OK)).AsArray();
            Assert.Equal(manifest["devices"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).Order(), listed.Select(d => d!["id"]!.GetValue<string>()).Order());

            // alpha: its two buffered actions (one expiring next year) are sent at its next wakeup, with its old password.
            var alpha = Simulator("alpha");
            var wake = await alpha.WakeAsync();
            Assert.Equal([1L, 2L], wake.ActionIds.Order());
            await alpha.WakeAsync(acks: [1, 2]);
            Assert.True((await session.GetActionAsync(1))["finished"]!.GetValue<bool>());

            // beta: a finished action stays as it was, and a late ack of it is harmless.
            var beta = await session.GetActionAsync(3);
            Assert.Equal("Success", beta["result_code"]!.GetValue<string>());
            Assert.Empty((await Simulator("beta").WakeAsync(acks: [3])).Actions);

            // delta: its firmware update is still buffered and its deployment still counts it.
            var deployment = manifest["deployment"]!;
            var delta = await Simulator("delta").WakeAsync();
            Assert.Equal([deployment["fota_action"]!.GetValue<long>()], delta.ActionIds);
            var deployed = await ApiSession.Json(await session.Get($"/v2/deployments/{deployment["id"]}/"), HttpStatusCode.OK);
            Assert.Equal([Named("delta").Id], deployed["devices"]!.AsArray().Select(d => d!.GetValue<string>()));

            // Imported devices that never woke under the old release authenticate with their passwords.
            foreach (var imported in manifest["devices"]!.AsArray().Where(d => d!["imported"]!.GetValue<bool>()))
            {
                Assert.Empty((await new DeviceSimulator(first, imported!["id"]!.GetValue<string>(), imported["password"]!.GetValue<string>()).WakeAsync()).Actions);
            }

            // gamma and the events of the old release.
            foreach (var oldEvent in manifest["events"]!.AsArray())
            {
                await ApiSession.Json(await session.Get($"/v2/events/{oldEvent!["id"]}/"), HttpStatusCode.OK);
            }

            var gamma = await Simulator("gamma").WakeAsync(events: [new { type = "temp", payload = new { celsius = 22 } }]);
            Assert.Single(gamma.EventIds);

            // A wrong password is still refused; new devices and actions work beside the old ones.
            Assert.Equal(HttpStatusCode.Unauthorized, (await new DeviceSimulator(first, Named("alpha").Id, "wrong").SendAsync(new { })).StatusCode);
            var fresh = await DeviceSimulator.CreateAsync(first, session, "after-upgrade");
            var action = (await session.CreateActionAsync(new { device = new { id = fresh.Id }, type = "led" }))["id"]!.GetValue<long>();
            Assert.Equal([action], (await fresh.WakeAsync()).ActionIds);

            // DTLS needs the password itself, sealed only for devices made since 010_device_psk: older
            // ones are refused at the handshake and go on over HTTP and plain CoAP.
            var old = Named("alpha");
            using (var plain = DeviceLinks.Open(first.Plain(), old.Id, old.Password))
            {
                Assert.NotNull(await plain.ExchangeAsync([]));
            }

            Assert.Throws<Org.BouncyCastle.Tls.TlsFatalAlertReceived>(() => DeviceLinks.Open(first.Secure(), old.Id, old.Password));
            using (var secure = DeviceLinks.Open(first.Secure(), fresh.Id, fresh.Password))
            {
                Assert.NotNull(await secure.ExchangeAsync([]));
            }

            var database = first.Store.Database;
            var kept = await database.QueryAsync(
                "SELECT device_id, event_id, trigger, status, attempts, last_status_code, delivered_at, body, deployment_id FROM webhook_deliveries WHERE id = 900001",
                null,
                r => (r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetInt64(6), r.GetString(7), r.IsDBNull(8)));
            Assert.Equal([("dev", 7L, "temp", "delivered", 1, 204, 4L, "{\"c\":21}", true)], kept);
            Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM orleans_storage WHERE grain_type IN ('device', 'deployment')"));
            Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM devices WHERE password_hash IS NULL"));
            var applied = await database.QueryAsync("SELECT id, checksum, applied_at FROM schema_migrations ORDER BY id", null, r => (r.GetString(0), r.GetString(1), r.GetInt64(2)));
            Assert.Equal(["001_orleans", "002_platform", "003_actions_events_files", "004_webhook_deliveries", "005_firmware", "006_device_rows", "007_device_state_to_rows", "008_webhook_bodies", "009_webhook_bodies_rendered", "010_device_psk", "011_deployment_webhooks", "012_device_counts", "013_dtls_sessions", "014_device_erasures", "015_tenant_erasures"], applied.Select(a => a.Item1));
            migrations = applied;
            await first.StopAsync();
        }

        // A second start applies nothing: the history is recorded, not re-run.
        await using var second = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments);
        var again = await second.Store.Database.QueryAsync("SELECT id, checksum, applied_at FROM schema_migrations ORDER BY id", null, r => (r.GetString(0), r.GetString(1), r.GetInt64(2)));
        Assert.Equal(migrations, again);
        var after = await ApiSession.AuthenticateAsync(second, manifest["org_token"]!.GetValue<string>());
        Assert.True((await after.GetActionAsync(2))["finished"]!.GetValue<bool>());
    }

    private sealed record Device(JsonNode Node)
    {
        public string Id => Node["id"]!.GetValue<string>();

        public string Password => Node["password"]!.GetValue<string>();
    }
}

public sealed class UpgradeFromReleaseOnSqlite() : UpgradeFromReleaseTests(StoreKind.Sqlite);

public sealed class UpgradeFromReleaseOnPostgres() : UpgradeFromReleaseTests(StoreKind.PostgreSql);
