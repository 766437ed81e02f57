using Embever.Actors.Load.Client;
using Embever.Actors.Load.Report;
using Embever.Actors.Load.Runner;
using Embever.Actors.Load.Scenarios;
using Embever.Actors.Tests.Infrastructure;
using LoadWebhooks = Embever.Actors.Load.Scenarios.Webhooks;

namespace Embever.Actors.Tests.Load;

/// <summary>
/// The load scenarios, tiny, against the real platform: they run, their correctness checks pass,
/// and they write their reports. (Figures come from real runs: BENCHMARKS.md.)
/// </summary>
[Collection(SqlitePlatformCollection.Name)]
public sealed class LoadHarnessTests(SqlitePlatformFixture fixture)
{
    private async Task<(LoadRun Run, PlatformClient Client)> StartAsync(string scenario)
    {
        var targets = new[] { fixture.Platform.BaseAddress };
        var client = await Tenant.CreateAsync(targets, fixture.Platform.ReadTokenFile("operator-token"), scenario);
        return (new LoadRun(scenario, targets), client);
    }

    [Fact]
    public async Task A_small_wake_storm_runs_the_protocol_and_verifies_every_action()
    {
        var (run, client) = await StartAsync("wake-storm");
        using var _ = client;
        await WakeStorm.RunAsync(run, client, new WakeStorm.Settings(40, 0.5, TimeSpan.FromSeconds(1), null, 100));
        var report = run.ToReport();
        Assert.True(report.Passed, ReportWriter.Markdown(report));
        Assert.Equal(40, report.Operations.Single(o => o.Name == "exchange").Count);
        Assert.Equal(3, report.Checks.Count);

        var directory = Path.Combine(Path.GetTempPath(), $"embever-reports-{Guid.NewGuid():N}");
        var stem = ReportWriter.Write(report, directory);
        // The picture: both panels with their scales and units, the time axis, and the legend beside them.
        var svg = File.ReadAllText(stem + ".svg");
        Assert.Contains("<svg", svg);
        Assert.Contains("Latency per second (ms, logarithmic)", svg);
        Assert.Contains(">latency (ms)</text>", svg);
        Assert.Contains("Completed per second", svg);
        Assert.Contains("seconds since the measured phase started", svg);
        Assert.Contains(">exchange</text>", svg);
        Assert.Contains("p99 (latency panel)", svg);
        Assert.Contains("| exchange |", File.ReadAllText(stem + ".md"));
        Assert.Contains("\"scenario\": \"wake-storm\"", File.ReadAllText(stem + ".json"));
    }

    [Fact]
    public async Task A_small_webhook_run_delivers_every_event()
    {
        var (run, client) = await StartAsync("webhooks");
        using var _ = client;
        await LoadWebhooks.RunAsync(run, client, new LoadWebhooks.Settings(5, 20, TimeSpan.FromSeconds(1), 300, 100, "127.0.0.1"));
        var report = run.ToReport();

        // The speed checks are for real runs (BENCHMARKS.md); here every webhook must arrive.
        var delivered = report.Checks.Where(c => c.Name.StartsWith("every webhook", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, delivered.Count);
        Assert.All(delivered, c => Assert.True(c.Passed, ReportWriter.Markdown(report)));
        Assert.Equal(6, report.Checks.Count);
        long Count(string name) => report.Operations.Single(o => o.Name == name).Count;
        Assert.Equal(20, Count("exchange-saturating"));
        Assert.Equal(Count("exchange-saturating"), Count("delivery-saturating"));
        Assert.Equal(Count("exchange-half"), Count("delivery-half"));
        Assert.Equal(300, Count("delivery-fan-out"));
        Assert.True(report.Figures["fan_out_deliveries_per_second"] > 0);
    }

    [Theory]
    [InlineData(0.0, "completed")]
    [InlineData(0.5, "aborted")]
    public async Task A_small_staged_rollout_ends_as_its_failure_rate_says_and_draws_its_groups(double failureRate, string status)
    {
        var (run, client) = await StartAsync("rollout");
        using var _ = client;
        await StagedRollout.RunAsync(run, client, new StagedRollout.Settings(
            60, [5, 20], failureRate, 0.9, 0.2, 1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 2048, "127.0.0.1", 100));
        var report = run.ToReport();
        Assert.True(report.Passed, ReportWriter.Markdown(report));
        Assert.Equal(status, report.Rollout!.Samples[^1].Status);
        Assert.Equal([5, 20, 35], report.Rollout.GroupSizes);
        Assert.Equal(7, report.Checks.Count);

        var stem = ReportWriter.Write(report, Path.Combine(Path.GetTempPath(), $"embever-reports-{Guid.NewGuid():N}"));
        var svg = File.ReadAllText(stem + "-rollout.svg");
        Assert.Contains("Group 3 (35 devices)", svg);
        Assert.Contains("held (not released yet)", svg);
        Assert.Contains($"UTC — {status}</text>", svg);

        // The webhook that ended it is drawn (with any told at the same moment).
        Assert.Matches($"font-size=\"10\" fill=\"#[0-9a-f]+\">[^<]*{status}", svg);
        Assert.Contains("-rollout.svg", File.ReadAllText(stem + ".md"));
    }

    [Fact]
    public async Task A_small_api_burst_makes_no_errors()
    {
        var (run, client) = await StartAsync("api-burst");
        using var _ = client;
        await ApiBurst.RunAsync(run, client, new ApiBurst.Settings(20, 50, TimeSpan.FromSeconds(1), 100));
        var report = run.ToReport();
        Assert.True(report.Passed, ReportWriter.Markdown(report));
        Assert.Equal(50, report.Operations.Sum(o => o.Count));
    }
}
