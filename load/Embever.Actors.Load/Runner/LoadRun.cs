using System.Collections.Concurrent;
using System.Diagnostics;
using Embever.Actors.Load.Measure;
using Embever.Actors.Load.Report;

namespace Embever.Actors.Load.Runner;

/// <summary>One run of one scenario: its parameters, its recorders, the checks it made and its notes.</summary>
public sealed class LoadRun(string scenario, IReadOnlyList<Uri> targets)
{
    private readonly ConcurrentDictionary<string, LatencyRecorder> recorders = new();
    private readonly ConcurrentDictionary<string, TimeSpan> operationTimes = new();
    private readonly List<CheckResult> checks = [];
    private readonly List<string> notes = [];
    private long phaseStart = Stopwatch.GetTimestamp();

    public string Scenario => scenario;

    public DateTime StartedAt { get; } = DateTime.UtcNow;

    public Dictionary<string, string> Parameters { get; } = [];

    public Dictionary<string, double> Figures { get; } = [];

    public BaselineResult? Baseline { get; set; }

    /// <summary>What a staged rollout did over time (the rollout scenario only).</summary>
    public RolloutTimeline? Rollout { get; set; }

    /// <summary>The measured phase's operations (provisioning is not measured).</summary>
    public IEnumerable<LatencyRecorder> Recorders => recorders.Values;

    public TimeSpan MeasuredTime { get; private set; }

    public LatencyRecorder Recorder(string name) => recorders.GetOrAdd(name, n => new LatencyRecorder(n, phaseStart));

    /// <summary>Starts the measured phase: recorders count seconds from here.</summary>
    public void StartMeasuring()
    {
        recorders.Clear();
        operationTimes.Clear();
        phaseStart = Stopwatch.GetTimestamp();
    }

    public void StopMeasuring() => MeasuredTime = Stopwatch.GetElapsedTime(phaseStart);

    public TimeSpan SinceMeasuring => Stopwatch.GetElapsedTime(phaseStart);

    /// <summary>
    /// The time one operation ran, for a run of several phases: its per-second figure in the
    /// report is then its count over this time rather than over the whole measured time.
    /// </summary>
    public void OperationTime(string recorder, TimeSpan elapsed) => operationTimes[recorder] = elapsed;

    public void Check(string name, bool passed, string detail)
    {
        lock (checks)
        {
            checks.Add(new CheckResult(name, passed, detail));
        }

        Progress.Line(passed ? $"[green]check passed[/] {Esc(name)}: {Esc(detail)}" : $"[red]check FAILED[/] {Esc(name)}: {Esc(detail)}");
    }

    public void Note(string text)
    {
        notes.Add(text);
        Progress.Line($"[grey]{Esc(text)}[/]");
    }

    public RunReport ToReport() => new(
        scenario,
        StartedAt,
        targets.Select(t => t.ToString()).ToList(),
        Parameters,
        MeasuredTime.TotalSeconds,
        recorders.Values.Select(r => r.Summarize(operationTimes.GetValueOrDefault(r.Name, MeasuredTime))).OrderBy(s => s.Name).ToList(),
        Baseline,
        Figures,
        checks,
        notes,
        Rollout);

    private static string Esc(string text) => Spectre.Console.Markup.Escape(text);
}

public sealed record CheckResult(string Name, bool Passed, string Detail);

public sealed record BaselineResult(double RequestsPerSecond, double P50, double P99, string Endpoint, int Workers, double Seconds);
