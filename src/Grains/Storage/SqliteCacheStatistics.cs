using Embever.Actors.Telemetry;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Embever.Actors.Storage;

/// <summary>
/// Page cache hits and misses of SQLite connections, taken from each connection (and reset)
/// after a lane's piece of work and when a pooled connection closes: a hit ratio that falls
/// says the memory budget is too small for the working set.
/// </summary>
public static class SqliteCacheStatistics
{
    private const int CacheHit = 7;
    private const int CacheMiss = 8;
    private static long hits;
    private static long misses;

    /// <summary>Hits ÷ (hits + misses) since start; 1 before any page was read.</summary>
    public static double HitRatio
    {
        get
        {
            var (h, m) = (Interlocked.Read(ref hits), Interlocked.Read(ref misses));
            return h + m == 0 ? 1 : (double)h / (h + m);
        }
    }

    public static void Collect(SqliteConnection connection)
    {
        var handle = connection.Handle;
        if (handle is null)
        {
            return;
        }

        raw.sqlite3_db_status(handle, CacheHit, out var hit, out _, 1);
        raw.sqlite3_db_status(handle, CacheMiss, out var miss, out _, 1);
        if (hit > 0)
        {
            Interlocked.Add(ref hits, hit);
            PlatformMetrics.SqliteCachePages.Add(hit, new KeyValuePair<string, object?>("outcome", "hit"));
        }

        if (miss > 0)
        {
            Interlocked.Add(ref misses, miss);
            PlatformMetrics.SqliteCachePages.Add(miss, new KeyValuePair<string, object?>("outcome", "miss"));
        }
    }
}
