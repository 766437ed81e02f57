using Embever.Actors.Load.Measure;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Report;

/// <summary>Everything a run measured and checked (a staged rollout's timeline too); written as JSON, Markdown and SVG plots.</summary>
public sealed record RunReport(
    string Scenario,
    DateTime StartedAt,
    List<string> Targets,
    Dictionary<string, string> Parameters,
    double MeasuredSeconds,
    List<OperationSummary> Operations,
    BaselineResult? Baseline,
    Dictionary<string, double> Figures,
    List<CheckResult> Checks,
    List<string> Notes,
    RolloutTimeline? Rollout = null)
{
    public bool Passed => Checks.All(c => c.Passed) && Operations.All(o => o.Errors == 0);
}
