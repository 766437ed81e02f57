using System.Globalization;
using System.Text;

namespace Embever.Actors.Load.Report;

/// <summary>An SVG of p50 (thin) and p99 (thick) latency per second, one colour per operation, and throughput bars.</summary>
public static class LatencyPlot
{
    private const int Width = 900;
    private const int Height = 420;
    private const int Left = 60;
    private const int Right = 160;
    private const int Top = 30;
    private const int Bottom = 50;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static string Render(RunReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var series = report.Operations.Where(o => o.Timeline.Count > 0).ToList();
        var seconds = Math.Max(1, series.SelectMany(s => s.Timeline).Select(t => t.Second).DefaultIfEmpty(0).Max() + 1);
        var maxLatency = Math.Max(1, series.SelectMany(s => s.Timeline).Select(t => t.P99).DefaultIfEmpty(1).Max());
        var maxCount = Math.Max(1, series.SelectMany(s => s.Timeline).Select(t => t.Count).DefaultIfEmpty(1).Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double second) => Left + (second / seconds * plotWidth);
        double Y(double millis) => Top + plotHeight - (millis / maxLatency * plotHeight);

        var svg = new StringBuilder();
        svg.AppendLine(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(c, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine(c, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\">{report.Scenario}: latency per second (thick p99, thin p50; bars: operations per second)</text>");
        for (var i = 0; i <= 4; i++)
        {
            var value = maxLatency * i / 4;
            svg.AppendLine(c, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Y(value):F1}\" y2=\"{Y(value):F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(c, $"<text x=\"{Left - 6}\" y=\"{Y(value) + 4:F1}\" text-anchor=\"end\">{value:N1} ms</text>");
        }

        svg.AppendLine(c, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 12}\" text-anchor=\"middle\">seconds since the measured phase started ({seconds} s)</text>");
        for (var index = 0; index < series.Count; index++)
        {
            var colour = Colours[index % Colours.Length];
            var operation = series[index];
            foreach (var sample in operation.Timeline)
            {
                var barHeight = (double)sample.Count / maxCount * plotHeight * 0.25;
                svg.AppendLine(c, $"<rect x=\"{X(sample.Second):F1}\" y=\"{Top + plotHeight - barHeight:F1}\" width=\"{Math.Max(1, plotWidth / (double)seconds / series.Count):F1}\" height=\"{barHeight:F1}\" fill=\"{colour}\" opacity=\"0.2\"/>");
            }

            svg.AppendLine(c, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{Points(operation.Timeline.Select(t => (t.Second + 0.5, t.P99)))}\"/>");
            svg.AppendLine(c, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1\" points=\"{Points(operation.Timeline.Select(t => (t.Second + 0.5, t.P50)))}\"/>");
            svg.AppendLine(c, $"<text x=\"{Width - Right + 10}\" y=\"{Top + 16 + (index * 18)}\" fill=\"{colour}\">{operation.Name}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();

        string Points(IEnumerable<(double Second, double Millis)> points) =>
            string.Join(' ', points.Select(p => string.Create(c, $"{X(p.Second):F1},{Y(p.Millis):F1}")));
    }
}
