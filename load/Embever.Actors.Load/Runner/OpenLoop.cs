using System.Diagnostics;

namespace Embever.Actors.Load.Runner;

/// <summary>
/// An open arrival model: operation i is due at start + i / rate whether or not earlier ones
/// have finished, and its latency is measured from when it was due. A slow server therefore
/// shows as latency (queueing included) instead of quietly lowering the rate — no coordinated
/// omission. In-flight operations are capped only to protect the load generator; time spent
/// waiting for that cap still counts as latency.
/// </summary>
public static class OpenLoop
{
    public static async Task RunAsync(long count, double perSecond, int maxInFlight, Func<long, long, Task> operation, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var gate = new SemaphoreSlim(maxInFlight);
        var running = new List<Task>();
        long next = 0;
        while (next < count && !cancellationToken.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var dueNow = Math.Min(count, (long)(elapsed * perSecond) + 1);
            for (; next < dueNow; next++)
            {
                var due = start + (long)(next / perSecond * Stopwatch.Frequency);
                running.Add(RunOneAsync(next, due));
            }

            running.RemoveAll(t => t.IsCompleted);
            await Task.Delay(1, CancellationToken.None);
        }

        await Task.WhenAll(running);

        async Task RunOneAsync(long index, long due)
        {
            await gate.WaitAsync(CancellationToken.None);
            try
            {
                await operation(index, due);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    /// <summary>A closed loop: <paramref name="workers"/> each run operations back to back until the time is up.</summary>
    public static Task ClosedAsync(int workers, TimeSpan duration, Func<long, Task> operation) =>
        ClosedAsync(workers, duration, (_, started) => operation(started));

    /// <summary>A closed loop whose operation also gets the number of the worker running it (0 to <paramref name="workers"/> - 1).</summary>
    public static async Task ClosedAsync(int workers, TimeSpan duration, Func<int, long, Task> operation)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                await operation(worker, Stopwatch.GetTimestamp());
            }
        }));
    }
}
