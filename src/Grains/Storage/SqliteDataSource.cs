using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Embever.Actors.Storage;

/// <summary>
/// Connections to the embedded SQLite file, tuned when they open: SQLite's own busy handler
/// (short back-off) instead of Microsoft.Data.Sqlite's 150 ms sleeps when a writer waits for
/// another, and <c>synchronous=NORMAL</c>, which in WAL mode keeps every commit across a
/// process crash (a silo stop loses nothing) and skips the fsync per commit; only an operating
/// system crash or power loss can take the last commits with it. No connection checkpoints the
/// write-ahead log on its own: <see cref="WalCheckpointer"/> does, off the commit path.
/// <para>
/// Memory: a connection keeps its page cache for as long as it lives, so the connections are
/// bounded and share one budget (<see cref="StoreOptions.MemoryBudgetMb"/>): the lanes' own
/// connections (<see cref="OpenDedicated"/>) and at most <see cref="StoreOptions.PooledConnections"/>
/// handed out here at once, to the Orleans providers and the rare writes outside the group
/// commit. One more past those waits, and past <see cref="StoreOptions.ConnectionWait"/> is refused
/// (<see cref="StoreBusyException"/>). SQLite's soft heap limit backs the budget up.
/// </para>
/// </summary>
public sealed class SqliteDataSource : DbDataSource
{
    private readonly string connectionString;
    private readonly bool fullSync;
    private readonly SemaphoreSlim pooled;
    private readonly TimeSpan connectionWait;
    private readonly long walKeepBytes;
    private int open;

    public SqliteDataSource(string connectionString, StoreOptions? options = null, bool fullSync = false)
    {
        options ??= new StoreOptions();
        this.connectionString = connectionString;
        this.fullSync = fullSync;
        pooled = new SemaphoreSlim(Math.Max(1, options.PooledConnections));
        connectionWait = options.ConnectionWait;
        walKeepBytes = options.WalKeepMb * 1024L * 1024;

        // Every connection that can exist: the lanes' (reads, lists, counts, the writer), the checkpointer's, the pooled ones.
        // The writer touches the most pages (every index of every row it writes): it gets a quarter
        // of the budget, the others share the rest.
        Connections = options.ReadWorkersOn(StoreKind.Sqlite) + options.ListWorkersOn(StoreKind.Sqlite) + 1 + 1 + 1 + options.PooledConnections;
        WriterCacheKib = Math.Max(256, options.MemoryBudgetMb * 1024 / 4);
        CacheKib = Math.Max(256, (options.MemoryBudgetMb * 1024 - WriterCacheKib) / (Connections - 1));
        SqliteMemory.Limit(options.MemoryBudgetMb * 1024L * 1024);
    }

    /// <summary>The most connections that can be open at once.</summary>
    public int Connections { get; }

    /// <summary>Each connection's page cache, in KiB: its share of the budget.</summary>
    public int CacheKib { get; }

    /// <summary>The group commit's writer's page cache, in KiB: a quarter of the budget.</summary>
    public int WriterCacheKib { get; }

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref open);

    public override string ConnectionString => connectionString;

    protected override DbConnection CreateDbConnection() => new TunedConnection(this, bounded: true, CacheKib);

    /// <summary>A connection for one lane thread or the checkpointer, kept open by its owner; outside the pooled bound (<paramref name="writer"/>: the writer's larger cache).</summary>
    public SqliteConnection OpenDedicated(bool writer = false)
    {
        var connection = new TunedConnection(this, bounded: false, writer ? WriterCacheKib : CacheKib);
        connection.Open();
        return connection;
    }

    private sealed class TunedConnection(SqliteDataSource source, bool bounded, int cacheKib) : SqliteConnection(source.connectionString)
    {
        private bool holdsTurn;
        private bool counted;

        public override void Open()
        {
            if (bounded && !holdsTurn)
            {
                holdsTurn = source.pooled.Wait(source.connectionWait);
                if (!holdsTurn)
                {
                    throw StoreBusyException.ConnectionsExhausted();
                }
            }

            OpenTuned();
        }

        public override async Task OpenAsync(CancellationToken cancellationToken)
        {
            if (bounded && !holdsTurn)
            {
                holdsTurn = await source.pooled.WaitAsync(source.connectionWait, cancellationToken);
                if (!holdsTurn)
                {
                    throw StoreBusyException.ConnectionsExhausted();
                }
            }

            OpenTuned();
        }

        private void OpenTuned()
        {
            try
            {
                base.Open();
                // On every open: Microsoft.Data.Sqlite resets the busy timeout when it hands out a pooled connection.
                using var pragmas = CreateCommand();
                pragmas.CommandText = $"PRAGMA busy_timeout = 30000; PRAGMA synchronous = {(source.fullSync ? "FULL" : "NORMAL")}; " +
                    $"PRAGMA cache_size = -{cacheKib}; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {source.walKeepBytes};";
                pragmas.ExecuteNonQuery();
            }
            catch
            {
                Close();
                throw;
            }

            if (!counted)
            {
                counted = true;
                Interlocked.Increment(ref source.open);
            }
        }

        public override void Close()
        {
            if (State == System.Data.ConnectionState.Open)
            {
                SqliteCacheStatistics.Collect(this);
            }

            base.Close();
            if (counted)
            {
                counted = false;
                Interlocked.Decrement(ref source.open);
            }

            if (holdsTurn)
            {
                holdsTurn = false;
                source.pooled.Release();
            }
        }
    }
}
