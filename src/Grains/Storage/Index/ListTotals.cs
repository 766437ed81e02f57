using System.Collections.Concurrent;
using System.Diagnostics;

namespace Embever.Actors.Storage.Index;

/// <summary>
/// Totals of large lists, by query: counted once however many ask at the same moment, kept for
/// reuse, refreshed in the background one count at a time. Bounded: past <see cref="MaxLists"/>
/// queries the stale ones are forgotten (and if all are fresh, all are).
/// </summary>
internal sealed class ListTotals(TimeSpan keepFor)
{
    public const int MaxLists = 10_000;

    private readonly ConcurrentDictionary<string, Total> totals = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<long>>> counting = new();
    private long countsRun;

    public long CountsRun => Interlocked.Read(ref countsRun);

    public Total? Cached(string key, TimeSpan limit) => totals.TryGetValue(key, out var total) && total.Age < limit ? total : null;

    public void Forget(string key) => totals.TryRemove(key, out _);

    /// <summary>Counts, or joins the count of this query already under way, or takes the one that just ended (younger than <paramref name="fresh"/>).</summary>
    public async Task<long> CountOnceAsync(string key, Func<Task<long>> count, TimeSpan fresh)
    {
        if (totals.TryGetValue(key, out var total) && total.Age < fresh)
        {
            return total.Count;
        }

        var flight = counting.GetOrAdd(key, _ => new Lazy<Task<long>>(() => CountAndKeepAsync(key, count)));
        return await flight.Value;
    }

    /// <summary>
    /// Starts a count unless one of this query is under way or its total is younger than
    /// <paramref name="olderThan"/>; its failure (a full lane) only leaves the old total.
    /// </summary>
    public void RefreshInBackground(string key, Func<Task<long>> count, TimeSpan olderThan)
    {
        if (counting.ContainsKey(key) || (totals.TryGetValue(key, out var total) && total.Age < olderThan))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await CountOnceAsync(key, count, olderThan);
            }
            catch (Exception)
            {
                // The store was busy or failed: the total in use stays until the next ask.
            }
        });
    }

    private async Task<long> CountAndKeepAsync(string key, Func<Task<long>> count)
    {
        try
        {
            Interlocked.Increment(ref countsRun);
            var total = await count();
            if (totals.Count >= MaxLists)
            {
                Trim();
            }

            totals[key] = new Total(total);
            return total;
        }
        finally
        {
            counting.TryRemove(key, out _);
        }
    }

    private void Trim()
    {
        foreach (var (key, total) in totals)
        {
            if (total.Age > keepFor)
            {
                totals.TryRemove(key, out _);
            }
        }

        if (totals.Count >= MaxLists)
        {
            totals.Clear();
        }
    }

    /// <summary>An estimate rounded to three significant figures, as CONTRACT.md allows (1,234,567 → 1,230,000).</summary>
    public static long ThreeFigures(long estimate)
    {
        var scale = 1L;
        while (estimate / scale >= 1000)
        {
            scale *= 10;
        }

        return (long)Math.Round((double)estimate / scale) * scale;
    }

    public sealed class Total(long count)
    {
        private readonly long at = Stopwatch.GetTimestamp();

        public long Count => count;

        public TimeSpan Age => Stopwatch.GetElapsedTime(at);
    }
}
