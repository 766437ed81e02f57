using Embever.Actors.Actions;
using Embever.Actors.Devices;
using Embever.Actors.Events;
using Embever.Actors.Security;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Tests.Infrastructure;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Embever.Actors.Tests.Domain;

/// <summary>The schema migrator, the group commit, device rows and the id allocator, against real SQLite and PostgreSQL.</summary>
public abstract class StorageTests(StoreKind kind)
{
    private static readonly DateTime T0 = new(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    private async Task<Database> MigratedAsync()
    {
        var database = (await StoreUnderTest.CreateAsync(kind)).Database;
        await new SchemaMigrator(database, [], NullLogger<SchemaMigrator>.Instance).ApplyAsync(CancellationToken.None);
        return database;
    }

    [Fact]
    public async Task Migrations_apply_once_are_recorded_and_a_released_one_that_changed_stops_the_start()
    {
        var database = await MigratedAsync();
        var migrator = new SchemaMigrator(database, [], NullLogger<SchemaMigrator>.Instance);
        var history = migrator.History().Select(m => m.Id).ToList();
        Assert.Equal(["001_orleans", "002_platform", "003_actions_events_files", "004_webhook_deliveries", "005_firmware", "006_device_rows", "008_webhook_bodies", "010_device_psk", "011_deployment_webhooks", "012_device_counts", "013_dtls_sessions", "014_device_erasures", "015_tenant_erasures"], history);
        var recorded = await database.QueryAsync("SELECT id, applied_at FROM schema_migrations ORDER BY id", null, r => (r.GetString(0), r.GetInt64(1)));
        Assert.Equal(history, recorded.Select(r => r.Item1));

        await migrator.ApplyAsync(CancellationToken.None);
        Assert.Equal(recorded, await database.QueryAsync("SELECT id, applied_at FROM schema_migrations ORDER BY id", null, r => (r.GetString(0), r.GetInt64(1))));

        await database.ExecuteAsync("UPDATE schema_migrations SET checksum = 'edited' WHERE id = '002_platform'");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.ApplyAsync(CancellationToken.None));
        Assert.Contains("002_platform", refused.Message);
    }

    [Fact]
    public async Task A_device_written_by_change_sets_loads_back_as_it_was()
    {
        var database = await MigratedAsync();
        var view = new DeviceView("dev00001", Guid.NewGuid(), null, "loaded", true, "other", [new EventWebhook("tick", "https://example.com/h", false)], T0, null);
        var created = new ChangeSet();
        created.NewDevices.Add(new DeviceRecord(view, [1, 2, 3]));
        await database.CommitAsync(created);

        var actions = Enumerable.Range(1, 40).Select(i => new DeviceAction
        {
            Id = i, DeviceId = view.Id, OrganisationId = view.OrganisationId, Type = $"type{i % 3}", CreatedAt = T0.AddSeconds(i),
            Finished = i <= 35, Status = i <= 35 ? new() { [ActionStatuses.Sent] = T0.AddSeconds(i) } : [],
        }).ToList();
        var changed = new ChangeSet().AddActions(actions, T0);
        changed.ChangedDevices.Add(new DeviceRecord(view with { Name = "renamed", LastSeenAt = T0.AddHours(1) }, [4, 5]));
        changed.Events.Add(new EventView(7, view.Id, view.OrganisationId, "tick", "{\"n\":1}", T0));
        await database.CommitAsync(changed);

        var stored = await new DeviceRows(database).LoadAsync(view.Id);
        Assert.NotNull(stored);
        Assert.Equal("renamed", stored.Record.View.Name);
        Assert.Equal(T0.AddHours(1), stored.Record.View.LastSeenAt);
        Assert.Equal([4, 5], stored.Record.PasswordHash);
        Assert.Equal("tick", Assert.Single(stored.Record.View.Webhooks).Type);
        Assert.Equal([36L, 37, 38, 39, 40], stored.Unfinished.Select(a => a.Id));
        Assert.Equal(Enumerable.Range(4, 32).Select(i => (long)i), stored.RecentlyFinished.Select(a => a.Id));
        Assert.Null(await new DeviceRows(database).LoadAsync("nosuch01"));

        var deleted = new ChangeSet();
        deleted.DeletedDevices.Add(view.Id);
        await database.CommitAsync(deleted);
        Assert.Null(await new DeviceRows(database).LoadAsync(view.Id));
        Assert.Equal(40, await database.ScalarAsync<long>("SELECT count(*) FROM actions"));
    }

    [Fact]
    public async Task Change_sets_are_merged_into_few_transactions_and_a_bad_one_fails_only_its_caller()
    {
        var database = await MigratedAsync();
        var organisation = Guid.NewGuid();
        EventView Event(long id) => new(id, "dev00001", organisation, "tick", "{}", T0);
        await database.CommitAsync(Changes(Event(1)));

        // 300 callers at once share a few transactions.
        var before = database.GroupCommit.Totals;
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => database.CommitAsync(Changes(Event(10_000 + i)))));
        var after = database.GroupCommit.Totals;
        Assert.True(after.Commits - before.Commits < 300, $"{after.Commits - before.Commits} commits for 300 change sets: nothing was merged");

        // 100 more; one of them brings an event whose id is taken (and a good one with it).
        var callers = Enumerable.Range(0, 100).Select(i => i == 50 ? Changes(Event(1), Event(20_050)) : Changes(Event(20_000 + i))).ToList();
        var outcomes = await Task.WhenAll(callers.Select(async c => await Record.ExceptionAsync(() => database.CommitAsync(c))));
        Assert.True(Database.IsUniqueViolation(outcomes[50]!), $"the bad change set failed with {outcomes[50]}");
        Assert.All(outcomes.Where((_, i) => i != 50), Assert.Null);
        Assert.Equal(1 + 300 + 99, await database.ScalarAsync<long>("SELECT count(*) FROM events"));
        Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM events WHERE id = 20050"));
    }

    [Fact]
    public async Task Bulk_change_sets_are_committed_alone_and_go_even_while_device_changes_never_stop()
    {
        var database = await MigratedAsync();
        var organisation = Guid.NewGuid();
        EventView Event(long id) => new(id, "dev00001", organisation, "tick", "{}", T0);
        using var stop = new CancellationTokenSource();

        // Devices' changes back to back, 16 callers at once, for as long as the test runs.
        var devices = Task.WhenAll(Enumerable.Range(0, 16).Select(async caller =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await database.CommitAsync(Changes(Event(1_000_000 + caller * 1_000_000 + i)));
            }
        }));
        await Task.Delay(200);

        var before = database.GroupCommit.Totals;
        var bulk = Enumerable.Range(0, 5).Select(b =>
        {
            var changes = new ChangeSet { Bulk = true };
            changes.Events.AddRange(Enumerable.Range(0, 100).Select(i => Event(100_000 + b * 100 + i)));
            return database.CommitAsync(changes);
        }).ToList();
        var all = Task.WhenAll(bulk);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))));
        await stop.CancelAsync();
        await devices;

        Assert.Equal(500, await database.ScalarAsync<long>("SELECT count(*) FROM events WHERE id >= 100000 AND id < 100500"));
        var after = database.GroupCommit.Totals;
        Assert.True(after.Commits - before.Commits >= 5, "each bulk change set is a transaction of its own");
    }

    private static ChangeSet Changes(params EventView[] events)
    {
        var changes = new ChangeSet();
        changes.Events.AddRange(events);
        return changes;
    }

    [Fact]
    public async Task The_schema_applies_again_and_concurrently_without_failing()
    {
        var database = (await StoreUnderTest.CreateAsync(kind)).Database;
        var migrator = new SchemaMigrator(database, [], NullLogger<SchemaMigrator>.Instance);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => migrator.ApplyAsync(CancellationToken.None)));
        await migrator.ApplyAsync(CancellationToken.None);
        var queries = await database.ScalarAsync<long>("SELECT count(*) FROM OrleansQuery");
        Assert.True(queries >= 11, $"only {queries} Orleans queries");
        Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM devices"));
    }

    [Fact]
    public async Task Id_blocks_give_unique_increasing_ids_across_allocators_without_reuse()
    {
        var database = (await StoreUnderTest.CreateAsync(kind)).Database;
        await new SchemaMigrator(database, [], NullLogger<SchemaMigrator>.Instance).ApplyAsync(CancellationToken.None);
        var first = new IdBlockAllocator(database, blockSize: 10);
        var second = new IdBlockAllocator(database, blockSize: 10);
        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? first : second).NextAsync("test").AsTask()));
        Assert.Equal(200, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 1, 1L << 53));

        // A restarted allocator never hands out an id given before.
        var restarted = new IdBlockAllocator(database, blockSize: 10);
        Assert.True(await restarted.NextAsync("test") > ids.Max());
        // 21 blocks used (10 each, and the restarted one's), plus at most one reserved ahead per allocator.
        var reserved = await database.ScalarAsync<long>("SELECT next_value FROM id_sequences WHERE name = 'test'");
        Assert.InRange(reserved, 1 + (21 * 10), 1 + (24 * 10));
    }

    [Fact]
    public async Task Platform_keys_are_made_once_and_shared_by_every_loader()
    {
        var database = (await StoreUnderTest.CreateAsync(kind)).Database;
        await new SchemaMigrator(database, [], NullLogger<SchemaMigrator>.Instance).ApplyAsync(CancellationToken.None);
        var kek = new KeyEncryptionKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(KeyEncryptionKey.Size));
        var loaders = Enumerable.Range(0, 4).Select(_ => new PlatformKeys(kek)).ToList();
        await Task.WhenAll(loaders.Select(k => k.LoadAsync(database, CancellationToken.None)));
        Assert.All(loaders, k => Assert.Equal(loaders[0].SigningKeys.Current.Key, k.SigningKeys.Current.Key));
        var hash = loaders[0].Hasher.Hash("secret");
        Assert.All(loaders, k => Assert.True(k.Hasher.Matches("secret", hash)));
    }

    [Fact]
    public async Task Delivery_outcomes_are_written_through_the_group_commit_in_one_batch()
    {
        var database = await MigratedAsync();
        var organisation = Guid.NewGuid();
        var fired = new ChangeSet();
        for (var id = 1; id <= 3; id++)
        {
            fired.Deliveries.Add(new OutboxEntry(
                new PlannedDelivery(id, organisation, null, "dev", null, id, "t", "https://r.example/h", false, $"{{\"n\":{id}}}", T0), TimeSpan.FromHours(1)));
        }

        await database.CommitAsync(fired);
        var outcomes = new ChangeSet();
        outcomes.DeliveryOutcomes.Add(new DeliveryOutcome(1, DeliveryStatuses.Delivered, 1, T0, null, 204, T0.AddSeconds(1)));
        outcomes.DeliveryOutcomes.Add(new DeliveryOutcome(2, DeliveryStatuses.Pending, 3, T0.AddMinutes(1), "HTTP 503 Service Unavailable", 503, null));
        outcomes.DeliveryOutcomes.Add(new DeliveryOutcome(3, DeliveryStatuses.Failed, 7, T0, "timed out", null, null));
        outcomes.DeliveryOutcomes.Add(new DeliveryOutcome(2, DeliveryStatuses.Pending, 4, T0.AddMinutes(2), "HTTP 500 Internal Server Error", 500, null));
        await database.CommitAsync(outcomes);

        var rows = await database.QueryAsync(
            "SELECT id, status, attempts, next_attempt_at, last_error, last_status_code, delivered_at, body FROM webhook_deliveries ORDER BY id",
            null,
            r => (r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? (int?)null : r.GetInt32(5), r.IsDBNull(6) ? (long?)null : r.GetInt64(6), r.GetString(7)));
        Assert.Equal((1L, "delivered", 1, Platform.Timestamps.ToMicroseconds(T0), (string?)null, (int?)204, (long?)Platform.Timestamps.ToMicroseconds(T0.AddSeconds(1)), "{\"n\":1}"), rows[0]);

        // The last outcome of a delivery in a batch is the one that counts.
        Assert.Equal((2L, "pending", 4, Platform.Timestamps.ToMicroseconds(T0.AddMinutes(2)), "HTTP 500 Internal Server Error", (int?)500, (long?)null, "{\"n\":2}"), rows[1]);
        Assert.Equal(("failed", 7, "timed out"), (rows[2].Item2, rows[2].Item3, rows[2].Item5));
    }

    [Fact]
    public async Task Deliveries_stored_before_bodies_were_rendered_get_the_body_they_would_have_been_sent_with()
    {
        var database = await MigratedAsync();
        var organisation = Guid.NewGuid();
        var action = new DeviceAction { Id = 41, DeviceId = "dev", OrganisationId = organisation, Type = "led", PayloadJson = "{\"on\":true}", CreatedAt = T0, ResultJson = "{\"ok\":1}" };
        action.Status["action_sent"] = T0;
        var legacy = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.General);
        var snapshots = new[]
        {
            (1L, false, System.Text.Json.JsonSerializer.Serialize(new { Action = action, Event = (EventView?)null, DeviceName = "lamp" }, legacy)),
            (2L, true, System.Text.Json.JsonSerializer.Serialize(new { Action = action, Event = (EventView?)null, DeviceName = "lamp" }, legacy)),
            (3L, false, System.Text.Json.JsonSerializer.Serialize(new { Action = (DeviceAction?)null, Event = new EventView(9, "dev", organisation, "temp", "{\"c\":20}", T0), DeviceName = "lamp" }, legacy)),
        };
        foreach (var (id, payloadOnly, snapshot) in snapshots)
        {
            await database.ExecuteAsync(
                """
                INSERT INTO webhook_deliveries (id, organisation_id, device_id, trigger, url, payload_only, status, attempts, next_attempt_at, deadline_at, created_at, body)
                VALUES (@id, @o, 'dev', 't', 'https://r.example/h', @p, 'pending', 0, 0, 0, 0, @s)
                """,
                p => p.Add("id", id).Add("o", organisation.ToString()).Add("p", payloadOnly).Add("s", snapshot));
        }

        var migration = new Storage.Migrations.WebhookBodiesRendered(Microsoft.Extensions.Options.Options.Create(new WebhookOptions { PublicUrl = "https://api.example" }));
        await using (var connection = await database.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await migration.ApplyAsync(connection, transaction, CancellationToken.None);
            await transaction.CommitAsync();
        }

        var bodies = await database.QueryAsync("SELECT body FROM webhook_deliveries ORDER BY id", null, r => r.GetString(0));
        Assert.Equal(WebhookBody.Of("https://api.example", action, "lamp", false), bodies[0]);
        var full = System.Text.Json.Nodes.JsonNode.Parse(bodies[0])!;
        Assert.Equal("https://api.example/v2/actions/41/", full["url"]!.GetValue<string>());
        Assert.Equal("lamp", full["device"]!["name"]!.GetValue<string>());
        Assert.Equal("{\"ok\":1}", bodies[1]);
        Assert.Equal("https://api.example/v2/events/9/", System.Text.Json.Nodes.JsonNode.Parse(bodies[2])!["url"]!.GetValue<string>());
    }
}

public sealed class StorageOnSqlite() : StorageTests(StoreKind.Sqlite);

public sealed class StorageOnPostgres() : StorageTests(StoreKind.PostgreSql);
