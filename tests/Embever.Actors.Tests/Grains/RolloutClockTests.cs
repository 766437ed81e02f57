using Embever.Actors.Deployments;
using Embever.Actors.Deployments.Rollouts;
using Embever.Actors.Devices;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Grains;

/// <summary>
/// A rollout's pacing and timeouts through the deployment grain, on a clock the test moves: the
/// minutes and days pass at once, and the reminder's tick is delivered as the reminder service
/// would once its period passed.
/// </summary>
[Collection(ManualTimeClusterCollection.Name)]
public sealed class RolloutClockTests(ManualTimeClusterFixture fixture) : DeploymentGrainTestBase(fixture)
{
    private static ManualTime Clock => ManualTimeClusterFixture.Clock;

    private static Task TickAsync(IDeploymentGrain deployment) => deployment.AsReference<IRemindable>().ReceiveReminder("rollout", default);

    private Task<long> RemindersAsync(IDeploymentGrain deployment) =>
        Fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM orleans_reminder WHERE reminder_name = 'rollout' AND grain_id = @grain", p => p.Add("grain", deployment.GetGrainId().ToString()));

    /// <summary>How many of the devices have their <c>_fota</c> to take (a service level 2 action is sent again until answered).</summary>
    private static async Task<int> ReleasedAsync(IEnumerable<IDeviceGrain> devices)
    {
        var released = 0;
        foreach (var device in devices)
        {
            released += (await WakeAsync(device)).Count;
        }

        return released;
    }

    [Fact]
    public async Task Pacing_releases_at_most_max_per_minute_in_any_minute_and_a_reminder_keeps_it_going()
    {
        var organisation = Guid.NewGuid();
        var devices = await DevicesWithPasswordAsync(organisation, 5);
        var deployment = Fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        await deployment.Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), devices.Select(d => d.GetPrimaryKeyString()).ToList(), new RolloutPolicy([], MaxPerMinute: 2)));
        Assert.Equal(2, await ReleasedAsync(devices));
        Assert.Equal(1, await RemindersAsync(deployment));

        Clock.Advance(TimeSpan.FromSeconds(59));
        await TickAsync(deployment);
        Assert.Equal(2, await ReleasedAsync(devices));

        Clock.Advance(TimeSpan.FromSeconds(2));
        await TickAsync(deployment);
        Assert.Equal(4, await ReleasedAsync(devices));

        Clock.Advance(TimeSpan.FromSeconds(61));
        await TickAsync(deployment);
        Assert.Equal(5, await ReleasedAsync(devices));

        // Nothing is left to pace and nothing can time out: the reminder is gone.
        Assert.Equal(0, await RemindersAsync(deployment));
    }

    [Fact]
    public async Task A_silent_device_times_out_its_action_is_cancelled_and_the_group_short_of_its_gate_waits_for_a_resume()
    {
        var organisation = Guid.NewGuid();
        var devices = await DevicesWithPasswordAsync(organisation, 3);
        var deployment = Fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        await deployment.Create(new DeploymentDraft(
            organisation, await FirmwareAsync(organisation), devices.Select(d => d.GetPrimaryKeyString()).ToList(), new RolloutPolicy([1], UpdateTimeoutSeconds: 600)));
        Assert.Single(await WakeAsync(devices[0]));
        Assert.Equal(1, await RemindersAsync(deployment));

        Clock.Advance(TimeSpan.FromSeconds(599));
        await TickAsync(deployment);
        var waiting = (await deployment.Get())!;
        Assert.Empty(waiting.Failed);
        Assert.Equal(RolloutStatus.Running, waiting.Status);

        Clock.Advance(TimeSpan.FromSeconds(2));
        await TickAsync(deployment);
        var timedOut = (await deployment.Get())!;
        Assert.Equal([devices[0].GetPrimaryKeyString()], timedOut.Failed);
        Assert.Empty(await WakeAsync(devices[0]));
        Assert.Equal(RolloutStatus.Paused, timedOut.Status);
        Assert.NotNull(timedOut.Groups![0].CompletedAt);
        Assert.Null(timedOut.Groups![1].StartedAt);
        Assert.Equal(0, await ReleasedAsync(devices.Skip(1)));

        var resumed = (await deployment.SetPaused(false))!;
        Assert.NotNull(resumed.Groups![1].StartedAt);
        Assert.Equal(2, await ReleasedAsync(devices.Skip(1)));
    }
}
