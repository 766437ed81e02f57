using System.Globalization;
using System.Text;
using System.Text.Json;
using Embever.Actors.Load.Measure;

namespace Embever.Actors.Load.Report;

/// <summary>Writes a run as <c>&lt;scenario&gt;-&lt;time&gt;.json</c>, <c>.md</c> and <c>.svg</c> (latency over time), and a staged rollout's <c>-rollout.svg</c> (its groups over time).</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Write(RunReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{report.Scenario}-{report.StartedAt:yyyyMMdd-HHmmss}");
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(report, Json));
        File.WriteAllText(stem + ".svg", LatencyPlot.Render(report));
        if (report.Rollout is not null)
        {
            File.WriteAllText(stem + "-rollout.svg", RolloutPlot.Render(report));
        }

        File.WriteAllText(stem + ".md", Markdown(report, Path.GetFileName(stem) + ".svg"));
        return stem;
    }

    public static RunReport Read(string file) =>
        JsonSerializer.Deserialize<RunReport>(File.ReadAllText(file), Json) ?? throw new InvalidDataException($"{file} holds no report.");

    public static string Markdown(RunReport report, string? plot = null)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"# {report.Scenario} — {report.StartedAt:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(c, $"Targets: {string.Join(", ", report.Targets)}. Measured for {report.MeasuredSeconds:N1} s. Result: **{(report.Passed ? "passed" : "FAILED")}**.");
        text.AppendLine();
        if (report.Parameters.Count > 0)
        {
            text.AppendLine("Parameters: " + string.Join(", ", report.Parameters.Select(p => $"`{p.Key}={p.Value}`")) + ".");
            text.AppendLine();
        }

        if (report.Baseline is { } baseline)
        {
            text.AppendLine(c, $"Baseline (same client, same run): `{baseline.Endpoint}` with {baseline.Workers} workers, {baseline.RequestsPerSecond:N0} requests/s, p50 {baseline.P50:N2} ms, p99 {baseline.P99:N2} ms.");
            text.AppendLine();
        }

        text.AppendLine("| Operation | Count | Errors | Per second | Ratio to baseline | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var o in report.Operations)
        {
            var ratio = report.Baseline is { RequestsPerSecond: > 0 } b ? (o.PerSecond / b.RequestsPerSecond).ToString("N2", c) : "—";
            text.AppendLine(c, $"| {o.Name} | {o.Count:N0} | {o.Errors:N0} | {o.PerSecond:N0} | {ratio} | {o.P50:N2} | {o.P90:N2} | {o.P99:N2} | {o.P999:N2} | {o.Max:N2} |");
        }

        text.AppendLine();
        if (report.Figures.Count > 0)
        {
            text.AppendLine("| Figure | Value |");
            text.AppendLine("| --- | ---: |");
            foreach (var (name, value) in report.Figures)
            {
                text.AppendLine(c, $"| {name} | {value:N2} |");
            }

            text.AppendLine();
        }

        foreach (var error in report.Operations.Where(o => o.Errors > 0))
        {
            var kinds = string.Join(", ", error.ErrorKinds.Select(e => $"{e.Value}× {e.Key}"));
            text.AppendLine(c, $"Errors of {error.Name}: {kinds}");
        }

        if (report.Checks.Count > 0)
        {
            text.AppendLine("Checks:");
            text.AppendLine();
            foreach (var check in report.Checks)
            {
                text.AppendLine(c, $"- {(check.Passed ? "✅" : "❌")} {check.Name}: {check.Detail}");
            }

            text.AppendLine();
        }

        foreach (var note in report.Notes)
        {
            text.AppendLine(c, $"- {note}");
        }

        if (plot is not null)
        {
            text.AppendLine();
            if (report.Rollout is not null)
            {
                text.AppendLine(c, $"![the rollout over time, per group]({Path.GetFileNameWithoutExtension(plot)}-rollout.svg)");
                text.AppendLine();
            }

            text.AppendLine(c, $"![latency over time]({plot})");
        }

        return text.ToString();
    }
}
