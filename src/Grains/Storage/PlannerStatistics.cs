using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Storage;

/// <summary>
/// Keeps PostgreSQL's planner statistics up with bulk imports: autovacuum analyses a table only
/// when it comes round, and until then plans and estimates of a table that grew tenfold in a
/// minute are those of the small one. While rows are imported, a table that grew by half (and by
/// at least <see cref="MinimumRows"/>) since it was last analysed here is analysed (a sample:
/// quick); once imports have been quiet for <see cref="Quiet"/>, it is vacuumed and analysed, which
/// also marks its pages all-visible, so deep list pages are read from the index alone. One table
/// is worked on once at a time, in the background. Nothing to do on SQLite.
/// </summary>
public sealed partial class PlannerStatistics(Database database, ILogger<PlannerStatistics> logger)
{
    public const long MinimumRows = 20_000;

    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, TableGrowth> tables = new();

    public void RowsAdded(string table, long rows)
    {
        if (database.Kind != StoreKind.PostgreSql)
        {
            return;
        }

        var growth = tables.GetOrAdd(table, _ => new TableGrowth());
        lock (growth)
        {
            growth.SinceAnalysis += rows;
            growth.SinceVacuum += rows;
            growth.LastAdded = Stopwatch.GetTimestamp();
            if (!growth.Watched)
            {
                growth.Watched = true;
                _ = Task.Run(() => WatchAsync(table, growth));
            }
        }
    }

    /// <summary>Looks at a table's growth every second while rows are added; ends when all is analysed.</summary>
    private async Task WatchAsync(string table, TableGrowth growth)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync())
        {
            string? work;
            long added;
            lock (growth)
            {
                var quiet = Stopwatch.GetElapsedTime(growth.LastAdded) >= Quiet;
                (work, added) = quiet && growth.SinceVacuum > 0 ? ("VACUUM (ANALYZE)", growth.SinceVacuum)
                    : growth.SinceAnalysis >= Math.Max(MinimumRows, growth.Rows / 2) ? ("ANALYZE", growth.SinceAnalysis)
                    : (null, 0);
                if (work is null && quiet)
                {
                    growth.Watched = false;
                    return;
                }

                if (work is not null)
                {
                    growth.SinceAnalysis = 0;
                    growth.SinceVacuum = work.StartsWith("VACUUM", StringComparison.Ordinal) ? 0 : growth.SinceVacuum;
                }
            }

            if (work is not null)
            {
                await AnalyseAsync(table, work, added, growth);
            }
        }
    }

    private async Task AnalyseAsync(string table, string work, long added, TableGrowth growth)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            // Paced as autovacuum paces itself (a pause every 200 pages' worth of work): a vacuum at
            // full speed right after an import takes the disk and a core from everything else.
            await database.ExecuteOutsideTransactionAsync(
                "SET vacuum_cost_delay = 2",
                "SET vacuum_cost_limit = 200",
                $"{work} {table}",
                // The organisations' device counts: few rows, a new version of one at every import chunk.
                table == "devices" ? "VACUUM (ANALYZE) device_counts" : "SELECT 1");

            var rows = await database.ScalarAsync<long>("SELECT reltuples::bigint FROM pg_class WHERE relname = @table", p => p.Add("table", table));
            lock (growth)
            {
                growth.Rows = rows;
            }

            LogAnalysed(work, table, added, rows, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception)
        {
            LogFailed(exception, table);
        }
    }

    private sealed class TableGrowth
    {
        public long SinceAnalysis;
        public long SinceVacuum;
        public long Rows;
        public long LastAdded;
        public bool Watched;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Work} {Table} after {Added} rows were imported: {Rows} rows, {Milliseconds:F0} ms")]
    private partial void LogAnalysed(string work, string table, long added, long rows, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not analyse {Table}; autovacuum will")]
    private partial void LogFailed(Exception exception, string table);
}
