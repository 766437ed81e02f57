using System.Diagnostics;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Measure;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// The ceiling of this machine: <c>GET /health</c> (no token, no grain, no database) as fast as
/// <paramref name="workers"/> closed-loop clients can go, from the same client in the same run.
/// Every scenario reports its throughput also as a ratio to this.
/// </summary>
public static class Baseline
{
    public const string Endpoint = "GET /health";

    public static async Task<BaselineResult> MeasureAsync(PlatformClient client, TimeSpan duration, int workers, LatencyRecorder? into = null)
    {
        var recorder = into ?? new LatencyRecorder("baseline", Stopwatch.GetTimestamp());
        var started = Stopwatch.GetTimestamp();
        await OpenLoop.ClosedAsync(workers, duration, async due =>
        {
            using var response = await client.SendAnonymousAsync(new HttpRequestMessage(HttpMethod.Get, "/health"));
            if (response.IsSuccessStatusCode)
            {
                recorder.Record(due);
            }
            else
            {
                recorder.Error($"HTTP {(int)response.StatusCode}");
            }
        });
        var summary = recorder.Summarize(Stopwatch.GetElapsedTime(started));
        Progress.Line($"baseline {Endpoint}: [bold]{summary.PerSecond:N0}/s[/], p50 {summary.P50:N2} ms, p99 {summary.P99:N2} ms ({workers} workers, {duration.TotalSeconds:N0} s)");
        return new BaselineResult(summary.PerSecond, summary.P50, summary.P99, Endpoint, workers, duration.TotalSeconds);
    }
}
