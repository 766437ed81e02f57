using System.Globalization;
using System.Text;

namespace Embever.Actors.Load.Report;

/// <summary>
/// The picture of a staged rollout, in SVG: one panel per group over the same time axis, each
/// its devices stacked by where their update stands — successful, failed, in flight (released,
/// not finished), held (not released yet) — from 0 to the group's size. The webhooks the
/// deployment told are dashed lines across every panel, named above them; the legend sits beside
/// the panels, never over the data.
/// </summary>
public static class RolloutPlot
{
    private const int Width = 1100;
    private const int Left = 80;
    private const int Right = 250;
    private const int Top = 84;
    private const int PanelHeight = 120;
    private const int Gap = 46;
    private const int Bottom = 60;
    private const int PlotWidth = Width - Left - Right;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static readonly (string Name, string Colour, Func<GroupCounts, int> Count)[] Layers =
    [
        ("successful", "#2ca02c", g => g.Successful),
        ("failed", "#d62728", g => g.Failed),
        ("in flight (released, not finished)", "#1f77b4", g => g.InFlight),
        ("held (not released yet)", "#d9d9d9", g => g.Held),
    ];

    public static string Render(RunReport report)
    {
        var timeline = report.Rollout ?? throw new ArgumentException("The report has no rollout.", nameof(report));
        var groups = timeline.GroupSizes.Count;
        var height = Top + (groups * (PanelHeight + Gap)) + Bottom;
        var seconds = Math.Max(1, Math.Ceiling(timeline.Samples.Select(s => s.Second).Concat(timeline.Marks.Select(m => m.Second)).DefaultIfEmpty(0).Max()));
        double X(double second) => Left + (second / seconds * PlotWidth);

        var svg = new StringBuilder();
        svg.AppendLine(C, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(C, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>");
        var status = timeline.Samples.LastOrDefault()?.Status ?? "?";
        svg.AppendLine(C, $"<text x=\"{Left}\" y=\"22\" font-size=\"16\" font-weight=\"bold\">{LatencyPlot.Escape(report.Scenario)} — {report.StartedAt:yyyy-MM-dd HH:mm} UTC — {LatencyPlot.Escape(status)}</text>");
        svg.AppendLine(C, $"<text x=\"{Left}\" y=\"40\" fill=\"#555\">{LatencyPlot.Escape(string.Join(", ", report.Parameters.Select(p => $"{p.Key}={p.Value}")))}</text>");

        for (var group = 0; group < groups; group++)
        {
            var top = Top + (group * (PanelHeight + Gap));
            var size = Math.Max(1, timeline.GroupSizes[group]);
            double Y(double count) => top + PanelHeight - (count / size * PanelHeight);
            svg.AppendLine(C, $"<text x=\"{Left}\" y=\"{top - 6}\" font-weight=\"bold\">Group {group + 1} ({timeline.GroupSizes[group]:N0} devices)</text>");

            // Stacked areas: each layer from the sum of those below it to that sum plus its own.
            var samples = timeline.Samples.Where(s => group < s.Groups.Count).ToList();
            if (samples.Count > 0 && samples[^1].Second < seconds)
            {
                // The last state holds until the end of the axis (a webhook arrived after the last reading).
                samples.Add(samples[^1] with { Second = seconds });
            }
            var below = new double[samples.Count];
            foreach (var (name, colour, count) in Layers)
            {
                var lower = below.ToArray();
                for (var i = 0; i < samples.Count; i++)
                {
                    below[i] += count(samples[i].Groups[group]);
                }

                if (samples.Count == 0)
                {
                    continue;
                }

                var upper = samples.Select((s, i) => (X(s.Second), Y(below[i])));
                var back = samples.Select((s, i) => (X(s.Second), Y(lower[i]))).Reverse();
                svg.AppendLine(C, $"<polygon fill=\"{colour}\" stroke=\"none\" points=\"{LatencyPlot.Points(upper.Concat(back))}\"><title>{name}</title></polygon>");
            }

            foreach (var tick in LatencyPlot.LinearTicks(size, 2).Where(t => t <= size))
            {
                svg.AppendLine(C, $"<line x1=\"{Left - 4}\" x2=\"{Left}\" y1=\"{Y(tick):F1}\" y2=\"{Y(tick):F1}\" stroke=\"#000\"/>");
                svg.AppendLine(C, $"<text x=\"{Left - 6}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{tick.ToString("N0", C)}</text>");
            }

            svg.AppendLine(C, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{PlotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#000\"/>");
            var axis = top + PanelHeight;
            var step = LatencyPlot.LinearTicks(seconds, 10)[1];
            for (var second = 0.0; second <= seconds + 1e-9; second += step)
            {
                svg.AppendLine(C, $"<line x1=\"{X(second):F1}\" x2=\"{X(second):F1}\" y1=\"{axis}\" y2=\"{axis + 4}\" stroke=\"#000\"/>");
                svg.AppendLine(C, $"<text x=\"{X(second):F1}\" y=\"{axis + 16}\" text-anchor=\"middle\" font-size=\"10\">{second.ToString("0.##", C)}</text>");
            }
        }

        svg.AppendLine(C, $"<text transform=\"translate(18 {(height - Bottom + Top) / 2}) rotate(-90)\" text-anchor=\"middle\">devices</text>");
        svg.AppendLine(C, $"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{height - 14}\" text-anchor=\"middle\">seconds since POST /v2/deployments/ was sent</text>");

        // The webhooks, across all panels. Those told within a few pixels of each other share one
        // line and one label (a group's completion and the next one's start come together).
        var bottom = Top + (groups * (PanelHeight + Gap)) - Gap;
        var clusters = new List<List<RolloutMark>>();
        foreach (var mark in timeline.Marks.OrderBy(m => m.Second))
        {
            if (clusters.Count > 0 && X(mark.Second) - X(clusters[^1][0].Second) < 30)
            {
                clusters[^1].Add(mark);
            }
            else
            {
                clusters.Add([mark]);
            }
        }

        for (var i = 0; i < clusters.Count; i++)
        {
            var cluster = clusters[i];
            var x = X(cluster[0].Second);
            var colour = cluster.Any(m => m.Event is "aborted") ? "#d62728" : cluster.Any(m => m.Event is "paused") ? "#ff7f0e" : "#444";
            var label = string.Join(", ", cluster.Select(m => m.Group is { } g ? $"{Short(m.Event)} {g}" : Short(m.Event)));
            svg.AppendLine(C, $"<line x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"{Top - 12 - (i % 2 * 11)}\" y2=\"{bottom}\" stroke=\"{colour}\" stroke-width=\"1\" stroke-dasharray=\"3 3\"/>");
            svg.AppendLine(C, $"<text x=\"{x + 2:F1}\" y=\"{Top - 14 - (i % 2 * 11)}\" font-size=\"10\" fill=\"{colour}\">{label}</text>");
        }

        Legend(svg);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Short(string kind) => kind switch
    {
        "group_started" => "started",
        "group_completed" => "done",
        _ => kind,
    };

    private static void Legend(StringBuilder svg)
    {
        var x = Left + PlotWidth + 20;
        var y = Top;
        svg.AppendLine(C, $"<text x=\"{x}\" y=\"{y}\" font-weight=\"bold\">Updates</text>");
        foreach (var (name, colour, _) in Layers)
        {
            y += 24;
            svg.AppendLine(C, $"<rect x=\"{x}\" y=\"{y - 11}\" width=\"16\" height=\"12\" fill=\"{colour}\"/>");
            svg.AppendLine(C, $"<text x=\"{x + 22}\" y=\"{y}\">{name}</text>");
        }

        y += 34;
        svg.AppendLine(C, $"<line x1=\"{x}\" x2=\"{x + 16}\" y1=\"{y - 4}\" y2=\"{y - 4}\" stroke=\"#444\" stroke-dasharray=\"3 3\"/>");
        svg.AppendLine(C, $"<text x=\"{x + 22}\" y=\"{y}\">a webhook the deployment told</text>");
        y += 16;
        svg.AppendLine(C, $"<text x=\"{x + 22}\" y=\"{y}\" fill=\"#555\" font-size=\"11\">started n / done n: group_started /</text>");
        y += 14;
        svg.AppendLine(C, $"<text x=\"{x + 22}\" y=\"{y}\" fill=\"#555\" font-size=\"11\">group_completed; paused, aborted,</text>");
        y += 14;
        svg.AppendLine(C, $"<text x=\"{x + 22}\" y=\"{y}\" fill=\"#555\" font-size=\"11\">completed as told</text>");
    }
}
