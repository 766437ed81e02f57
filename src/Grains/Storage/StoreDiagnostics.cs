namespace Embever.Actors.Storage;

/// <summary>What the store holds on this silo: SQLite's memory, connections and write-ahead log (zero on PostgreSQL), and the work waiting per lane.</summary>
public sealed record StoreDiagnostics(
    string Kind, long SqliteMemoryBytes, int SqliteConnections, double SqliteCacheHitRatio, long WalBytes, long WalFramesPending, Dictionary<string, int> Waiting)
{
    internal static StoreDiagnostics Of(Database database) => new(
        database.Kind.ToString(),
        database.Kind == StoreKind.Sqlite ? SqliteMemory.Used : 0,
        database.Sqlite?.Open ?? 0,
        database.Kind == StoreKind.Sqlite ? SqliteCacheStatistics.HitRatio : 0,
        database.Checkpointer?.WalBytes ?? 0,
        database.Checkpointer?.FramesPending ?? 0,
        new Dictionary<string, int>
        {
            ["reads"] = database.Reads.Waiting,
            ["lists"] = database.Lists.Waiting,
            ["scans"] = database.Scans.Waiting,
            ["imports"] = database.Imports.Waiting,
            ["writes"] = database.Writes.Waiting,
        });
}
