using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Embever.Actors.Load.Measure;

/// <summary>
/// Latencies of one kind of operation, in microseconds: an HdrHistogram over the whole run and
/// one per second (for the latency-over-time plot), plus errors by kind.
/// </summary>
public sealed class LatencyRecorder(string name, long runStart)
{
    private const long Highest = 120_000_000;
    private readonly LongConcurrentHistogram total = new(1, Highest, 3);
    private readonly ConcurrentDictionary<int, LongConcurrentHistogram> perSecond = new();
    private readonly ConcurrentDictionary<string, long> errors = new();

    public string Name => name;

    public long Count => total.TotalCount;

    public long Errors => errors.Values.Sum();

    /// <summary>Records one operation that was due at <paramref name="dueTimestamp"/> and finished now.</summary>
    public void Record(long dueTimestamp) => Record(Stopwatch.GetElapsedTime(dueTimestamp));

    /// <summary>Records one operation that took <paramref name="latency"/> and finished now.</summary>
    public void Record(TimeSpan latency)
    {
        var now = Stopwatch.GetTimestamp();
        var micros = Math.Clamp((long)latency.TotalMicroseconds, 1, Highest);
        total.RecordValue(micros);
        var second = (int)Stopwatch.GetElapsedTime(runStart, now).TotalSeconds;
        perSecond.GetOrAdd(second, _ => new LongConcurrentHistogram(1, Highest, 2)).RecordValue(micros);
    }

    /// <summary>p99 so far (ms) while operations are still being recorded; NaN if the histogram was busy.</summary>
    public double LiveP99()
    {
        try
        {
            return total.TotalCount == 0 ? 0 : total.Copy().GetValueAtPercentile(99) / 1000.0;
        }
        catch (InvalidOperationException)
        {
            return double.NaN;
        }
    }

    public void Error(string kind) => errors.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public OperationSummary Summarize(TimeSpan elapsed) => new(
        name,
        total.TotalCount,
        Errors,
        elapsed.TotalSeconds > 0 ? total.TotalCount / elapsed.TotalSeconds : 0,
        Millis(50),
        Millis(90),
        Millis(99),
        Millis(99.9),
        total.TotalCount == 0 ? 0 : total.GetMaxValue() / 1000.0,
        errors.ToDictionary(e => e.Key, e => e.Value),
        perSecond.OrderBy(p => p.Key).Select(p => new SecondSample(p.Key, p.Value.TotalCount, p.Value.GetValueAtPercentile(50) / 1000.0, p.Value.GetValueAtPercentile(99) / 1000.0)).ToList());

    private double Millis(double percentile) => total.TotalCount == 0 ? 0 : total.GetValueAtPercentile(percentile) / 1000.0;
}

/// <summary>One second of a run: how many operations finished and their median and p99 (ms).</summary>
public sealed record SecondSample(int Second, long Count, double P50, double P99);

/// <summary>What one kind of operation did over a run; latencies in milliseconds.</summary>
public sealed record OperationSummary(
    string Name,
    long Count,
    long Errors,
    double PerSecond,
    double P50,
    double P90,
    double P99,
    double P999,
    double Max,
    Dictionary<string, long> ErrorKinds,
    List<SecondSample> Timeline);
