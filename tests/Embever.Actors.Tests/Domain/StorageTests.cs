using Embever.Actors.Actions;
using Embever.Actors.Devices;
using Embever.Actors.Events;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Tests.Infrastructure;
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
        Assert.Equal(["001_orleans", "002_platform", "003_actions_events_files", "004_webhook_deliveries", "005_firmware", "006_device_rows"], history);
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
        var loaders = Enumerable.Range(0, 4).Select(_ => new PlatformKeys()).ToList();
        await Task.WhenAll(loaders.Select(k => k.LoadAsync(database, CancellationToken.None)));
        Assert.All(loaders, k => Assert.Equal(loaders[0].SigningKey, k.SigningKey));
        var hash = loaders[0].Hasher.Hash("secret");
        Assert.All(loaders, k => Assert.True(k.Hasher.Matches("secret", hash)));
    }
}

public sealed class StorageOnSqlite() : StorageTests(StoreKind.Sqlite);

public sealed class StorageOnPostgres() : StorageTests(StoreKind.PostgreSql);
