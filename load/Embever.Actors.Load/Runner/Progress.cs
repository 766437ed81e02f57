using System.Diagnostics;
using Embever.Actors.Load.Measure;
using Spectre.Console;

namespace Embever.Actors.Load.Runner;

/// <summary>The live progress line: every two seconds, what each operation did so far.</summary>
public static class Progress
{
    public static void Line(string markup) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] {markup}");

    /// <summary>Prints the run's counters every two seconds until disposed.</summary>
    public static IAsyncDisposable Live(LoadRun run) => Live(run.Scenario, () => run.Recorders, () => run.SinceMeasuring);

    /// <summary>
    /// One phase of a run of several: prints <paramref name="label"/> and the counters of the
    /// given recorders only, with the seconds since the phase started, every two seconds until disposed.
    /// </summary>
    public static IAsyncDisposable Live(LoadRun run, string label, params string[] recorders)
    {
        var started = Stopwatch.GetTimestamp();
        return Live($"{run.Scenario} {label}", () => recorders.Select(run.Recorder), () => Stopwatch.GetElapsedTime(started));
    }

    private static IAsyncDisposable Live(string label, Func<IEnumerable<LatencyRecorder>> recorders, Func<TimeSpan> elapsed)
    {
        var stop = new CancellationTokenSource();
        var task = Task.Run(async () =>
        {
            var previous = new Dictionary<string, long>();
            var last = Stopwatch.GetTimestamp();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(2000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                var seconds = Stopwatch.GetElapsedTime(last).TotalSeconds;
                last = Stopwatch.GetTimestamp();
                var parts = recorders().OrderBy(r => r.Name).Select(r =>
                {
                    var rate = (r.Count - previous.GetValueOrDefault(r.Name)) / seconds;
                    previous[r.Name] = r.Count;
                    return $"[bold]{r.Name}[/] {r.Count:N0} ({rate:N0}/s) p99 {r.LiveP99():N1} ms{(r.Errors > 0 ? $" [red]errors {r.Errors:N0}[/]" : "")}";
                }).ToList();
                Line($"[blue]{Markup.Escape(label)}[/] {elapsed().TotalSeconds:N0}s  " + string.Join("  ", parts));
            }
        });
        return new Stopper(stop, task);
    }

    private sealed class Stopper(CancellationTokenSource stop, Task task) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await task;
            stop.Dispose();
        }
    }
}
