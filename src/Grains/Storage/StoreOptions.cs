namespace Embever.Actors.Storage;

/// <summary>
/// Bounds on the store's memory and on the database work that can pile up (<c>Embever:Store</c>;
/// docs/operations.md). Every lane of work has a few workers, a queue and a longest wait; past
/// either bound the work is refused (<see cref="StoreBusyException"/>: 503) rather than queued
/// without end.
/// </summary>
public sealed class StoreOptions
{
    /// <summary>SQLite: all page caches of all connections together, in MiB (each connection gets its share).</summary>
    public int MemoryBudgetMb { get; set; } = 128;

    /// <summary>Reads for grains and devices (a device's rows when its grain activates): workers (SQLite: threads, each with its connection; default 4, PostgreSQL 16).</summary>
    public int? ReadWorkers { get; set; }

    /// <summary>Reads that may wait for their turn; they are the device path, so the queue is long.</summary>
    public int ReadQueue { get; set; } = 20_000;

    /// <summary>Lists and their totals: workers (default 1 on SQLite — a list is a few milliseconds, and a flood of them then takes one core at most — 2 on PostgreSQL).</summary>
    public int? ListWorkers { get; set; }

    public int ReadWorkersOn(StoreKind kind) => Math.Max(1, ReadWorkers ?? (kind == StoreKind.Sqlite ? 4 : 16));

    public int ListWorkersOn(StoreKind kind) => Math.Max(1, ListWorkers ?? (kind == StoreKind.Sqlite ? 1 : 2));

    /// <summary>Lists that may wait for their turn.</summary>
    public int ListQueue { get; set; } = 64;

    /// <summary>Bulk imports at once (each a transaction of up to 5,000 devices).</summary>
    public int ImportWorkers { get; set; } = 1;

    /// <summary>Imports that may wait for their turn.</summary>
    public int ImportQueue { get; set; } = 4;

    /// <summary>The longest a list or an import waits for its turn before it is refused.</summary>
    public TimeSpan QueueWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>SQLite: other connections open at once (Orleans' reminders and storage, deletes, migrations).</summary>
    public int PooledConnections { get; set; } = 6;

    /// <summary>The longest one of those waits for a connection before it is refused.</summary>
    public TimeSpan ConnectionWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>SQLite: past this size the write-ahead log is checkpointed with a restart, not only passively (<see cref="WalCheckpointer"/>).</summary>
    public int WalRestartMb { get; set; } = 64;

    /// <summary>
    /// SQLite: the size a restarted log file is cut back to (<c>journal_size_limit</c>). Twice the
    /// restart size by default, so that a log restarted under steady writes keeps its blocks and
    /// commits overwrite them instead of allocating new ones; an idle log is truncated to nothing.
    /// </summary>
    public int WalKeepMb { get; set; } = 128;
}
