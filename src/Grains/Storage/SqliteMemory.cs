using SQLitePCL;

namespace Embever.Actors.Storage;

/// <summary>SQLite's own heap, process-wide: what it uses now, and the soft limit past which it recycles cache pages rather than allocating.</summary>
public static class SqliteMemory
{
    // The native library is loaded by the first SqliteConnection; these calls may come before it.
    static SqliteMemory() => Batteries_V2.Init();

    /// <summary>Bytes SQLite has allocated now (page caches, schemas, statements).</summary>
    public static long Used => raw.sqlite3_memory_used();

    /// <summary>
    /// The soft heap limit, set to the budget plus a quarter (schemas and prepared statements live
    /// beside the caches). It is process-wide: several databases in one process (tests) share it,
    /// so a later, larger budget raises it and a smaller one never lowers it.
    /// </summary>
    public static void Limit(long budgetBytes)
    {
        var limit = budgetBytes + budgetBytes / 4;
        lock (typeof(SqliteMemory))
        {
            var current = raw.sqlite3_soft_heap_limit64(-1);
            if (current == 0 || current < limit)
            {
                raw.sqlite3_soft_heap_limit64(limit);
            }
        }
    }
}
