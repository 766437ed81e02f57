using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Embever.Actors.Storage;

/// <summary>
/// Connections to the embedded SQLite file, tuned when they open: SQLite's own busy handler
/// (short back-off) instead of Microsoft.Data.Sqlite's 150 ms sleeps when a writer waits for
/// another, and <c>synchronous=NORMAL</c>, which in WAL mode keeps every commit across a
/// process crash (a silo stop loses nothing) and skips the fsync per commit; only an operating
/// system crash or power loss can take the last commits with it. No connection checkpoints the
/// write-ahead log on its own: <see cref="WalCheckpointer"/> does, off the commit path. Both the Orleans providers
/// (through their <c>DataSource</c> option) and our own code open connections here.
/// </summary>
public sealed class SqliteDataSource(string connectionString, bool fullSync = false) : DbDataSource
{
    public override string ConnectionString => connectionString;

    protected override DbConnection CreateDbConnection() => new TunedConnection(connectionString, fullSync);

    private sealed class TunedConnection(string connectionString, bool fullSync) : SqliteConnection(connectionString)
    {
        public override void Open()
        {
            // On every open: Microsoft.Data.Sqlite resets the busy timeout when it hands out a pooled connection.
            base.Open();
            using var pragmas = CreateCommand();
            pragmas.CommandText = $"PRAGMA busy_timeout = 30000; PRAGMA synchronous = {(fullSync ? "FULL" : "NORMAL")}; PRAGMA cache_size = -32000; PRAGMA wal_autocheckpoint = 0;";
            pragmas.ExecuteNonQuery();
        }

        public override Task OpenAsync(CancellationToken cancellationToken)
        {
            Open();
            return Task.CompletedTask;
        }
    }
}
