using Embever.Actors.Devices;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Storage.Index;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Embever.Actors.Tests.Domain;

/// <summary>
/// The store's bounds against real SQLite and PostgreSQL: lanes that refuse rather than queue
/// without end, a pool that runs dry refused the same way, one count per large list however many
/// ask; on SQLite, a write-ahead log that shrinks while reads go on and page caches within budget.
/// </summary>
public abstract class StoreBoundsTests(StoreKind kind)
{
    private static readonly DateTime T0 = new(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    protected async Task<(StoreUnderTest Store, Database Database)> MigratedAsync(StoreOptions options, string connectionSuffix = "")
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        var database = kind == StoreKind.PostgreSql
            ? new Database(kind, store.ConnectionString + connectionSuffix, store: options)
            : new Database(kind, $"Data Source={Path.Combine(store.DataDirectory, "embever.db")}", store: options);
        await new SchemaMigrator(database, [], NullLogger<SchemaMigrator>.Instance).ApplyAsync(CancellationToken.None);
        return (store, database);
    }

    [Fact]
    public async Task A_full_lane_refuses_at_once_and_a_waiting_one_after_its_wait_and_the_lane_goes_on()
    {
        var (_, database) = await MigratedAsync(new StoreOptions { ListWorkers = 1, ListQueue = 2, QueueWait = TimeSpan.FromMilliseconds(300) });
        using var owned = database;
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = database.Lists.RunAsync(async (_, _) =>
        {
            running.SetResult();
            return await release.Task;
        });
        await running.Task;

        // Two may wait; the third is refused at once, naming the lane.
        var waiting = new[] { database.Lists.ScalarAsync<long>("SELECT 1"), database.Lists.ScalarAsync<long>("SELECT 2") };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var refused = await Assert.ThrowsAsync<StoreBusyException>(() => database.Lists.ScalarAsync<long>("SELECT 3"));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(250));
        Assert.Equal("lists queue", refused.Resource);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));

        // The waiting ones outwait their 300 ms while the worker is held (long after, so that a
        // loaded machine's late timers still fire first): refused too, not run late.
        await Task.Delay(2000);
        release.SetResult(true);
        Assert.True(await holder);
        foreach (var late in waiting)
        {
            await Assert.ThrowsAsync<StoreBusyException>(() => late);
        }

        Assert.Equal(4, await database.Lists.ScalarAsync<long>("SELECT 4"));
        Assert.Equal(0, database.Lists.Waiting);
    }

    [Fact]
    public async Task Concurrent_asks_for_a_large_list_run_one_count_and_its_total_says_it_is_not_exact()
    {
        var (_, database) = await MigratedAsync(new StoreOptions());
        using var owned = database;
        var organisation = Guid.NewGuid();
        var devices = new ChangeSet();
        devices.NewDevices.AddRange(Enumerable.Range(0, (int)IndexTable<DeviceView>.ExactCountLimit + 50).Select(i =>
            new DeviceRecord(new DeviceView($"d{i:D7}", organisation, null, $"device-{i}", false, "other", [], T0.AddSeconds(i), null), [1])));
        await database.CommitAsync(devices);
        var index = new DeviceIndex(database);
        var query = new DeviceQuery(new TenantScope(organisation, null), Type: "other");

        const long rows = IndexTable<DeviceView>.ExactCountLimit + 50;
        // Counted (as lists of events or actions are): 24 asks at once, one count.
        var pages = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => index.ListAsync(query.ToFilter(), new PageRequest(10, i * 10))));
        Assert.All(pages, page =>
        {
            // SQLite counts; PostgreSQL may answer its planner's estimate (three figures) while it counts.
            Assert.InRange(page.Total, kind == StoreKind.Sqlite ? rows : rows / 2, kind == StoreKind.Sqlite ? rows : rows * 2);
            Assert.False(page.TotalExact);
            Assert.Equal(10, page.Items.Count);
        });
        Assert.Equal("d0000230", pages[23].Items[0].Id);
        await WaitUntilAsync(() => index.CountsRun == 1);
        await Task.Delay(200);
        Assert.Equal(1, index.CountsRun);
        var counted = await index.ListAsync(query.ToFilter(), new PageRequest(10, 0));
        Assert.Equal(rows, counted.Total);
        Assert.False(counted.TotalExact);
        Assert.Equal(1, index.CountsRun);

        // A list below the limit is exact, and counts nothing in full.
        var small = await index.ListAsync(query with { Name = "device-7" }, new PageRequest(10, 0));
        Assert.True(small.TotalExact);
        Assert.Equal(1, small.Total);
        Assert.Equal(1, index.CountsRun);
    }

    [Fact]
    public async Task Device_list_totals_are_kept_exact_by_the_store_through_inserts_changes_and_deletes()
    {
        var (_, database) = await MigratedAsync(new StoreOptions());
        using var owned = database;
        var organisation = Guid.NewGuid();
        var application = Guid.NewGuid();
        var index = new DeviceIndex(database);
        var scope = new TenantScope(organisation, null);
        var created = new ChangeSet();
        created.NewDevices.AddRange(Enumerable.Range(0, 12_000).Select(i =>
            new DeviceRecord(new DeviceView($"k{i:D7}", organisation, i % 3 == 0 ? application : null, $"kept-{i}", i % 2 == 0, i % 4 == 0 ? "sensor" : "other", [], T0.AddSeconds(i), null), [1])));
        await database.CommitAsync(created);

        async Task<Page<DeviceView>> List(DeviceQuery query) => await index.ListAsync(query, new PageRequest(5, 11_998));
        Assert.Equal(12_000, (await List(new DeviceQuery(scope))).Total);
        Assert.Equal(2, (await List(new DeviceQuery(scope))).Items.Count);
        Assert.True((await List(new DeviceQuery(scope))).TotalExact);
        Assert.Equal(3_000, (await List(new DeviceQuery(scope, Type: "sensor"))).Total);
        Assert.Equal(6_000, (await List(new DeviceQuery(scope, Activated: true))).Total);
        Assert.Equal(4_000, (await List(new DeviceQuery(scope, Application: application))).Total);
        Assert.Equal(2_000, (await List(new DeviceQuery(scope, Application: application, Activated: true))).Total);
        Assert.Equal(4_000, (await List(new DeviceQuery(new TenantScope(organisation, application)))).Total);
        Assert.Equal(0, (await List(new DeviceQuery(new TenantScope(Guid.NewGuid(), null)))).Total);

        // A deep page walks the index the first time, then starts from a remembered row: the same rows either way.
        static List<string> Ids(Page<DeviceView> page) => page.Items.Select(d => d.Id).ToList();
        var expected = Enumerable.Range(9_000, 5).Select(i => $"k{i:D7}").ToList();
        Assert.Equal(expected, Ids(await index.ListAsync(new DeviceQuery(scope), new PageRequest(5, 9_000))));
        await WaitUntilAsync(() => index.AnchoredLists == 1);
        Assert.Equal(1, index.AnchoredLists);
        Assert.Equal(expected, Ids(await index.ListAsync(new DeviceQuery(scope), new PageRequest(5, 9_000))));
        Assert.Equal(["k0011999"], Ids(await index.ListAsync(new DeviceQuery(scope), new PageRequest(5, 11_999))));

        // A change of type and application moves a device between counts; a change of anything else moves none.
        var changed = new ChangeSet();
        changed.ChangedDevices.Add(new DeviceRecord(new DeviceView("k0000001", organisation, application, "kept-1", false, "sensor", [], T0.AddSeconds(1), T0), [1]));
        changed.ChangedDevices.Add(new DeviceRecord(new DeviceView("k0000005", organisation, null, "renamed-5", false, "other", [], T0.AddSeconds(5), T0.AddHours(1)), [1]));
        // Into a count that exists already (an upsert fires the triggers, under its own conflict policy).
        changed.ChangedDevices.Add(new DeviceRecord(new DeviceView("k0000003", organisation, application, "kept-3", true, "other", [], T0.AddSeconds(3), T0), [1]));
        await database.CommitAsync(changed);
        var deleted = new ChangeSet();
        deleted.DeletedDevices.AddRange(["k0000000", "k0000002"]);
        await database.CommitAsync(deleted);

        Assert.Equal(11_998, (await List(new DeviceQuery(scope))).Total);

        // Two devices left the list: what was remembered no longer holds, and the pages shift by two.
        Assert.Equal(Enumerable.Range(9_002, 5).Select(i => $"k{i:D7}"), Ids(await index.ListAsync(new DeviceQuery(scope), new PageRequest(5, 9_000))));
        await Task.Delay(500);
        Assert.Equal(Enumerable.Range(9_002, 5).Select(i => $"k{i:D7}"), Ids(await index.ListAsync(new DeviceQuery(scope), new PageRequest(5, 9_000))));
        Assert.Equal(3_000, (await List(new DeviceQuery(scope, Type: "sensor"))).Total);
        Assert.Equal(4_000, (await List(new DeviceQuery(scope, Application: application))).Total);
        Assert.Equal(5_999, (await List(new DeviceQuery(scope, Activated: true))).Total);
        Assert.Equal(2_000, (await List(new DeviceQuery(scope, Application: application, Activated: true))).Total);
        Assert.Equal(
            await database.ScalarAsync<long>("SELECT count(*) FROM devices WHERE organisation_id = @o AND type = 'other' AND activated = @a", p => p.Add("o", organisation.ToString()).Add("a", false)),
            (await List(new DeviceQuery(scope, Type: "other", Activated: false))).Total);
        Assert.Equal(0, index.CountsRun);
    }

    [Fact]
    public async Task Anchors_grow_with_the_list_and_never_sit_among_rows_of_the_newest_time()
    {
        var (_, database) = await MigratedAsync(new StoreOptions());
        using var owned = database;
        var organisation = Guid.NewGuid();
        var index = new DeviceIndex(database);
        var scope = new TenantScope(organisation, null);
        async Task Commit(string prefix, Func<int, DateTime> createdAt)
        {
            var changes = new ChangeSet();
            changes.NewDevices.AddRange(Enumerable.Range(0, 9_000).Select(i =>
                new DeviceRecord(new DeviceView($"{prefix}{i:D7}", organisation, null, $"{prefix}-{i}", false, "other", [], createdAt(i), null), [1])));
            await database.CommitAsync(changes);
        }

        async Task Anchor()
        {
            var builds = index.AnchorBuilds;
            index.AnchorInBackground(scope);
            await WaitUntilAsync(() => index.AnchorBuilds > builds);
        }

        // Older devices, one time each; then an import's 18,000 of one time in two transactions, the
        // second's ids sorting before the first's: anchors made between them must not count on the first's positions.
        await Commit("a", i => T0.AddSeconds(i));
        await Anchor();
        Assert.Equal(1, index.AnchoredLists);
        Assert.Equal(8_193, index.AnchoredRows(scope));
        var imported = T0.AddDays(1);
        await Commit("z", _ => imported);
        await Anchor();
        Assert.Equal(8_193, index.AnchoredRows(scope));
        await Commit("m", _ => imported);
        await Anchor();
        Assert.Equal(8_193, index.AnchoredRows(scope));

        static List<string> Ids(Page<DeviceView> page) => page.Items.Select(d => d.Id).ToList();
        foreach (var (offset, first) in new[] { (8_190, "a0008190"), (12_000, "m0003000"), (16_384, "m0007384"), (20_000, "z0002000"), (26_998, "z0008998") })
        {
            var page = await index.ListAsync(new DeviceQuery(scope), new PageRequest(2, offset));
            Assert.Equal(27_000, page.Total);
            Assert.Equal(first, Ids(page)[0]);
        }

        // The import is over and the list grows again, later: the anchors reach into the import's rows now.
        await Commit("b", i => imported.AddSeconds(1 + i));
        await Anchor();
        Assert.Equal(32_769, index.AnchoredRows(scope));
        Assert.Equal(["z0008999", "b0000000"], Ids(await index.ListAsync(new DeviceQuery(scope), new PageRequest(2, 26_999))));
        Assert.Equal(["m0008999", "z0000000"], Ids(await index.ListAsync(new DeviceQuery(scope), new PageRequest(2, 17_999))));
        Assert.Equal(0, index.CountsRun);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_pool_that_runs_dry_is_refused_as_busy_not_an_error()
    {
        var options = new StoreOptions { PooledConnections = 2, ConnectionWait = TimeSpan.FromMilliseconds(300) };
        var (_, database) = await MigratedAsync(options, ";Maximum Pool Size=3;Timeout=1");
        using var owned = database;
        var held = new List<System.Data.Common.DbConnection>();
        try
        {
            var capacity = kind == StoreKind.Sqlite ? options.PooledConnections : 3;
            for (var i = 0; i < capacity; i++)
            {
                held.Add(await database.OpenAsync());
            }

            var refused = await Assert.ThrowsAsync<StoreBusyException>(() => database.OpenAsync());
            Assert.Equal("database connections", refused.Resource);
            if (kind == StoreKind.PostgreSql)
            {
                // The lanes open from the same pool: a list finds it dry and is refused the same way.
                var list = await Assert.ThrowsAsync<StoreBusyException>(() => database.Lists.ScalarAsync<long>("SELECT 1"));
                Assert.Equal("database connections", list.Resource);
            }
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        await using var again = await database.OpenAsync();
        Assert.Equal(System.Data.ConnectionState.Open, again.State);
    }

    protected static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

/// <summary>What only SQLite has: a write-ahead log of ours to keep small, page caches of ours to keep within budget.</summary>
public sealed class StoreBoundsOnSqlite() : StoreBoundsTests(StoreKind.Sqlite)
{
    private static readonly DateTime T0 = new(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_write_ahead_log_shrinks_after_a_burst_of_writes_while_reads_go_on()
    {
        var (store, database) = await MigratedAsync(new StoreOptions { WalRestartMb = 4, WalKeepMb = 1 });
        using var owned = database;
        var wal = Path.Combine(store.DataDirectory, "embever.db-wal");
        using var stop = new CancellationTokenSource();

        // Readers that never stop: each a short read, one after the other, on the lists lane and the reads lane.
        var readers = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var lane = i == 0 ? database.Reads : database.Lists;
                await lane.ScalarAsync<long>("SELECT count(*) FROM devices");
            }
        })).ToList();

        var organisation = Guid.NewGuid();
        var largest = 0L;
        for (var batch = 0; batch < 40; batch++)
        {
            var devices = new ChangeSet();
            devices.NewDevices.AddRange(Enumerable.Range(0, 1000).Select(i =>
                new DeviceRecord(new DeviceView($"w{batch:D2}{i:D5}", organisation, null, $"burst-{batch}-{i}-{new string('x', 200)}", false, "other", [], T0, null), new byte[32])));
            await database.CommitAsync(devices);
            largest = Math.Max(largest, File.Exists(wal) ? new FileInfo(wal).Length : 0);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (new FileInfo(wal).Length > 4L * 1024 * 1024 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var after = new FileInfo(wal).Length;
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.True(largest > 4L * 1024 * 1024, $"the burst should have grown the log past 4 MB (largest {largest:N0} bytes)");
        Assert.True(after <= 4L * 1024 * 1024, $"the log is still {after:N0} bytes");
        Assert.Equal(40_000, await database.ScalarAsync<long>("SELECT count(*) FROM devices"));
    }

    [Fact]
    public async Task Page_caches_stay_within_their_share_of_the_budget_with_many_concurrent_readers()
    {
        var options = new StoreOptions { MemoryBudgetMb = 8, ListQueue = 1000, QueueWait = TimeSpan.FromMinutes(1) };
        var (_, database) = await MigratedAsync(options);
        using var owned = database;
        var organisation = Guid.NewGuid();
        for (var batch = 0; batch < 10; batch++)
        {
            var devices = new ChangeSet();
            devices.NewDevices.AddRange(Enumerable.Range(0, 2000).Select(i =>
                new DeviceRecord(new DeviceView($"m{batch:D2}{i:D5}", organisation, null, $"budget-{batch}-{i}-{new string('y', 400)}", false, "other", [], T0, null), new byte[32])));
            await database.CommitAsync(devices);
        }

        var sqlite = database.Sqlite!;
        var share = sqlite.CacheKib * 1024L;
        Assert.True(share * (sqlite.Connections - 1) + sqlite.WriterCacheKib * 1024L <= options.MemoryBudgetMb * 1024L * 1024 + sqlite.Connections * 256L * 1024);

        // 200 scans of a table ten times larger than a share, 64 at a time, through every lane that reads.
        var mostOpen = 0;
        var cacheUsed = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var lane = (i % 3) switch { 0 => database.Reads, 1 => database.Lists, _ => database.Scans };
            cacheUsed.Add(await lane.RunAsync(async (connection, token) =>
            {
                await using var scan = Database.Prepare(connection, "SELECT sum(length(body)) FROM devices", null);
                await scan.ExecuteScalarAsync(token);
                var handle = ((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle!;
                SQLitePCL.raw.sqlite3_db_status(handle, 1 /* CACHE_USED */, out var used, out var highest, 0);
                return (long)used;
            }));
            InterlockedMax(ref mostOpen, sqlite.Open);
        });

        Assert.True(mostOpen <= sqlite.Connections, $"{mostOpen} connections open, bound {sqlite.Connections}");
        Assert.All(cacheUsed, used => Assert.True(used <= share * 1.25 + 64 * 1024, $"a connection's cache holds {used:N0} bytes, its share is {share:N0}"));
    }
}

public sealed class StoreBoundsOnPostgres() : StoreBoundsTests(StoreKind.PostgreSql);
