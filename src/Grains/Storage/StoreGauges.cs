using System.Diagnostics.Metrics;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Storage;

/// <summary>
/// The store's gauges, read when metrics are collected (meter <c>Embever.Actors</c>): SQLite's
/// memory, connections, cache hit ratio and write-ahead log, and the work waiting in each lane.
/// The database a silo uses is the one watched (the last one made, in a test process).
/// </summary>
public static class StoreGauges
{
    private static readonly Meter Meter = new(PlatformMetrics.MeterName);
    private static Database? watched;

    static StoreGauges()
    {
        Meter.CreateObservableGauge("embever.store.sqlite.memory", () => Sqlite(_ => SqliteMemory.Used), "By", "Bytes SQLite has allocated (page caches, schemas, statements).");
        Meter.CreateObservableGauge("embever.store.sqlite.connections", () => Sqlite(s => (long)s.Sqlite!.Open), "{connection}", "SQLite connections open.");
        Meter.CreateObservableGauge("embever.store.sqlite.cache.hit_ratio", () => Sqlite(_ => SqliteCacheStatistics.HitRatio), "1", "SQLite page cache hits ÷ reads, since start.");
        Meter.CreateObservableGauge("embever.store.sqlite.wal", () => Sqlite(s => s.Checkpointer!.WalBytes), "By", "Size of SQLite's write-ahead log file.");
        Meter.CreateObservableGauge("embever.store.sqlite.wal.frames_pending", () => Sqlite(s => s.Checkpointer!.FramesPending), "{frame}", "Log frames not yet copied into the database.");
        Meter.CreateObservableGauge("embever.store.queue", Waiting, "{request}", "Database work waiting for a worker, by lane.");
    }

    public static void Watch(Database database) => watched = database;

    private static IEnumerable<Measurement<T>> Sqlite<T>(Func<Database, T> read)
        where T : struct
    {
        if (watched is { Kind: StoreKind.Sqlite } database)
        {
            yield return new Measurement<T>(read(database));
        }
    }

    private static IEnumerable<Measurement<int>> Waiting()
    {
        if (watched is not { } database)
        {
            yield break;
        }

        yield return new(database.Reads.Waiting, new KeyValuePair<string, object?>("lane", "reads"));
        yield return new(database.Lists.Waiting, new KeyValuePair<string, object?>("lane", "lists"));
        yield return new(database.Scans.Waiting, new KeyValuePair<string, object?>("lane", "scans"));
        yield return new(database.Imports.Waiting, new KeyValuePair<string, object?>("lane", "imports"));
        yield return new(database.Writes.Waiting, new KeyValuePair<string, object?>("lane", "writes"));
    }
}
