using System.Globalization;
using System.Text;

namespace Embever.Actors.Load.Report;

/// <summary>
/// The picture of a run, in SVG: two panels over the same time axis, one colour per operation.
/// Above, latency per second on a logarithmic scale in milliseconds (p99 thick, p50 thin and
/// dashed); below, operations completed per second on a linear scale. Both axes have ticks,
/// units and labels; the legend sits beside the panels, never over the data.
/// </summary>
public static class LatencyPlot
{
    private const int Width = 1100;
    private const int Left = 80;
    private const int Right = 310;
    private const int Top = 50;
    private const int LatencyHeight = 300;
    private const int Gap = 70;
    private const int RateHeight = 180;
    private const int Bottom = 60;
    private const int Height = Top + LatencyHeight + Gap + RateHeight + Bottom;
    private const int PlotWidth = Width - Left - Right;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Render(RunReport report)
    {
        var series = report.Operations.Where(o => o.Timeline.Count > 0).ToList();
        var samples = series.SelectMany(s => s.Timeline).ToList();
        var seconds = Math.Max(1, samples.Select(t => t.Second).DefaultIfEmpty(0).Max() + 1);
        var (low, high) = LogRange(samples.Select(t => t.P50).Concat(samples.Select(t => t.P99)));
        var rateTicks = LinearTicks(samples.Select(t => (double)t.Count).DefaultIfEmpty(1).Max());
        var rateMax = rateTicks[^1];
        double X(double second) => Left + (second / seconds * PlotWidth);
        double YLatency(double millis) => Top + LatencyHeight - ((Math.Log10(Math.Max(millis, low)) - Math.Log10(low)) / (Math.Log10(high) - Math.Log10(low)) * LatencyHeight);
        var rateTop = Top + LatencyHeight + Gap;
        double YRate(double count) => rateTop + RateHeight - (count / rateMax * RateHeight);

        var svg = new StringBuilder();
        svg.AppendLine(C, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(C, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine(C, $"<text x=\"{Left}\" y=\"22\" font-size=\"16\" font-weight=\"bold\">{Escape(report.Scenario)} — {report.StartedAt:yyyy-MM-dd HH:mm} UTC</text>");

        // Latency panel: decades and their 2 and 5, labelled; gridlines across.
        svg.AppendLine(C, $"<text x=\"{Left}\" y=\"{Top - 8}\" font-weight=\"bold\">Latency per second (ms, logarithmic)</text>");
        foreach (var tick in LogTicks(low, high))
        {
            var major = Math.Abs(Math.Log10(tick) - Math.Round(Math.Log10(tick))) < 1e-9;
            svg.AppendLine(C, $"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{YLatency(tick):F1}\" y2=\"{YLatency(tick):F1}\" stroke=\"{(major ? "#bbb" : "#eee")}\"/>");
            svg.AppendLine(C, $"<text x=\"{Left - 6}\" y=\"{YLatency(tick) + 4:F1}\" text-anchor=\"end\" fill=\"{(major ? "#000" : "#666")}\">{Millis(tick)}</text>");
        }

        Frame(svg, Top, LatencyHeight);
        svg.AppendLine(C, $"<text transform=\"translate(18 {Top + (LatencyHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">latency (ms)</text>");

        // Rate panel.
        svg.AppendLine(C, $"<text x=\"{Left}\" y=\"{rateTop - 8}\" font-weight=\"bold\">Completed per second</text>");
        foreach (var tick in rateTicks)
        {
            svg.AppendLine(C, $"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{YRate(tick):F1}\" y2=\"{YRate(tick):F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(C, $"<text x=\"{Left - 6}\" y=\"{YRate(tick) + 4:F1}\" text-anchor=\"end\">{tick.ToString("N0", C)}</text>");
        }

        Frame(svg, rateTop, RateHeight);
        svg.AppendLine(C, $"<text transform=\"translate(18 {rateTop + (RateHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">per second</text>");

        // The shared time axis, under each panel.
        var step = LinearTicks(seconds, 10)[1];
        for (var second = 0.0; second <= seconds + 1e-9; second += step)
        {
            foreach (var bottom in new[] { Top + LatencyHeight, rateTop + RateHeight })
            {
                svg.AppendLine(C, $"<line x1=\"{X(second):F1}\" x2=\"{X(second):F1}\" y1=\"{bottom}\" y2=\"{bottom + 5}\" stroke=\"#000\"/>");
                svg.AppendLine(C, $"<text x=\"{X(second):F1}\" y=\"{bottom + 18}\" text-anchor=\"middle\">{second.ToString("0.##", C)}</text>");
            }
        }

        svg.AppendLine(C, $"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{Height - 14}\" text-anchor=\"middle\">seconds since the measured phase started</text>");

        for (var index = 0; index < series.Count; index++)
        {
            var colour = Colours[index % Colours.Length];
            var timeline = series[index].Timeline;
            svg.AppendLine(C, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{Points(timeline.Select(t => (X(t.Second + 0.5), YLatency(t.P99))))}\"/>");
            svg.AppendLine(C, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\" points=\"{Points(timeline.Select(t => (X(t.Second + 0.5), YLatency(t.P50))))}\"/>");
            svg.AppendLine(C, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" points=\"{Points(timeline.Select(t => (X(t.Second + 0.5), YRate(t.Count))))}\"/>");
            if (timeline.Count == 1)
            {
                svg.AppendLine(C, $"<circle cx=\"{X(timeline[0].Second + 0.5):F1}\" cy=\"{YLatency(timeline[0].P99):F1}\" r=\"3\" fill=\"{colour}\"/>");
                svg.AppendLine(C, $"<circle cx=\"{X(timeline[0].Second + 0.5):F1}\" cy=\"{YRate(timeline[0].Count):F1}\" r=\"3\" fill=\"{colour}\"/>");
            }
        }

        Legend(svg, series);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Legend(StringBuilder svg, List<Measure.OperationSummary> series)
    {
        var x = Left + PlotWidth + 20;
        var y = Top;
        svg.AppendLine(C, $"<text x=\"{x}\" y=\"{y}\" font-weight=\"bold\">Operations</text>");
        for (var index = 0; index < series.Count; index++)
        {
            var colour = Colours[index % Colours.Length];
            var o = series[index];
            y += 36;
            svg.AppendLine(C, $"<line x1=\"{x}\" x2=\"{x + 22}\" y1=\"{y - 4}\" y2=\"{y - 4}\" stroke=\"{colour}\" stroke-width=\"3\"/>");
            svg.AppendLine(C, $"<text x=\"{x + 28}\" y=\"{y}\">{Escape(o.Name)}</text>");
            svg.AppendLine(C, $"<text x=\"{x + 28}\" y=\"{y + 15}\" fill=\"#555\" font-size=\"11\">{Rate(o.PerSecond)}/s, p50 {Millis(o.P50)} ms, p99 {Millis(o.P99)} ms</text>");
        }

        y += 44;
        svg.AppendLine(C, $"<line x1=\"{x}\" x2=\"{x + 22}\" y1=\"{y - 4}\" y2=\"{y - 4}\" stroke=\"#000\" stroke-width=\"2.5\"/>");
        svg.AppendLine(C, $"<text x=\"{x + 28}\" y=\"{y}\">p99 (latency panel)</text>");
        y += 20;
        svg.AppendLine(C, $"<line x1=\"{x}\" x2=\"{x + 22}\" y1=\"{y - 4}\" y2=\"{y - 4}\" stroke=\"#000\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>");
        svg.AppendLine(C, $"<text x=\"{x + 28}\" y=\"{y}\">p50 (latency panel)</text>");
    }

    private static void Frame(StringBuilder svg, int top, int height) =>
        svg.AppendLine(C, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{PlotWidth}\" height=\"{height}\" fill=\"none\" stroke=\"#000\"/>");

    /// <summary>Whole decades around the values (at least one decade).</summary>
    private static (double Low, double High) LogRange(IEnumerable<double> values)
    {
        var positive = values.Where(v => v > 0).DefaultIfEmpty(1).ToList();
        var low = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(0.01, positive.Min()))));
        var high = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(positive.Max(), low * 10))));
        return (low, high > low ? high : low * 10);
    }

    /// <summary>1, 2 and 5 of every decade from <paramref name="low"/> to <paramref name="high"/>.</summary>
    private static IEnumerable<double> LogTicks(double low, double high)
    {
        for (var decade = low; decade <= high * 1.0001; decade *= 10)
        {
            foreach (var factor in new[] { 1, 2, 5 })
            {
                if (decade * factor <= high * 1.0001)
                {
                    yield return decade * factor;
                }
            }
        }
    }

    /// <summary>0 and round steps (1, 2 or 5 × 10ⁿ, at least 1) up to at least <paramref name="max"/>.</summary>
    internal static List<double> LinearTicks(double max, int count = 5)
    {
        max = Math.Max(max, 1);
        var raw = max / count;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        // Counts and seconds are whole numbers: never a step below 1.
        var step = Math.Max(1, new[] { 1.0, 2, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw));
        var ticks = new List<double>();
        for (var value = 0.0; ticks.Count == 0 || ticks[^1] < max; value += step)
        {
            ticks.Add(value);
        }

        return ticks;
    }

    private static string Millis(double value) => value switch
    {
        >= 100 => value.ToString("N0", C),
        >= 1 => value.ToString("0.#", C),
        _ => value.ToString("0.###", C),
    };

    private static string Rate(double value) => value >= 10 ? value.ToString("N0", C) : value.ToString("0.##", C);

    internal static string Points(IEnumerable<(double X, double Y)> points) =>
        string.Join(' ', points.Select(p => string.Create(C, $"{p.X:F1},{p.Y:F1}")));

    internal static string Escape(string text) => System.Security.SecurityElement.Escape(text);
}
