using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Devices;
using Embever.Actors.Firmware;

namespace Embever.Actors.Tests.Grains;

/// <summary>What the deployment grain tests share: a firmware row, devices, a device's wakeup.</summary>
public abstract class DeploymentGrainTestBase(GrainClusterFixture fixture)
{
    protected GrainClusterFixture Fixture => fixture;

    protected async Task<FirmwareView> FirmwareAsync(Guid organisation)
    {
        // A firmware row, as an upload makes: a deployment commits only while its firmware exists.
        var firmware = new FirmwareView($"F{Guid.NewGuid():N}"[..8], organisation, "1.0", "fw", "APP", "", null, "File0001", 4, new string('a', 64), DateTime.UtcNow);
        await new FirmwareIndex(fixture.Database).InsertAsync(firmware);
        return firmware;
    }

    protected async Task<string> NewDeviceAsync(Guid organisation)
    {
        var id = $"p{Guid.NewGuid():N}"[..10];
        await fixture.Grains.GetGrain<IDeviceGrain>(id).Create(new DeviceDraft(organisation, null, id, false, [], [1]));
        return id;
    }

    protected static long NextId() => Random.Shared.NextInt64(1, 1L << 50);

    protected async Task<List<IDeviceGrain>> DevicesWithPasswordAsync(Guid organisation, int count)
    {
        var devices = new List<IDeviceGrain>();
        for (var i = 0; i < count; i++)
        {
            var id = $"s{Guid.NewGuid():N}"[..10];
            var device = fixture.Grains.GetGrain<IDeviceGrain>(id);
            await device.Create(new DeviceDraft(organisation, null, id, false, [], await fixture.HashAsSiloAsync("pw")));
            devices.Add(device);
        }

        return devices;
    }

    protected static async Task<IReadOnlyList<OutgoingAction>> WakeAsync(IDeviceGrain device, ActionReports? reports = null) =>
        (await device.Exchange("pw", new DeviceExchange([], reports ?? ActionReports.None)))!.Actions;

    protected static ActionReports Answer(long action, string code) => new([], [new DeviceResponse(action, "{}", code)], []);

    protected static async Task<DeploymentView> Eventually(IDeploymentGrain deployment, Func<DeploymentView, bool> done) =>
        (await Eventually(deployment.Get, v => done(v!)))!;

    protected static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        T value;
        do
        {
            value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return value;
    }
}

[Collection(GrainClusterCollection.Name)]
public sealed class DeploymentGrainTests(GrainClusterFixture fixture) : DeploymentGrainTestBase(fixture)
{
    [Fact]
    public async Task A_device_that_became_busy_undoes_the_whole_deployment()
    {
        var organisation = Guid.NewGuid();
        var free = await NewDeviceAsync(organisation);
        var busy = await NewDeviceAsync(organisation);
        var first = await Fixture.Grains.GetGrain<IDeploymentGrain>(NextId()).Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [busy]));
        Assert.NotNull(first.Deployment);

        var secondId = NextId();
        var second = await Fixture.Grains.GetGrain<IDeploymentGrain>(secondId).Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [free, busy]));
        Assert.Null(second.Deployment);
        Assert.Equal([busy], second.Refused);
        Assert.Null(await Fixture.Grains.GetGrain<IDeploymentGrain>(secondId).Get());

        // The free device's _fota action was withdrawn without a trace, so it can take a new one.
        var third = await Fixture.Grains.GetGrain<IDeploymentGrain>(NextId()).Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [free]));
        Assert.NotNull(third.Deployment);
        var rows = await Fixture.Database.ScalarAsync<long>("SELECT count(*) FROM actions WHERE device_id = @d", p => p.Add("d", free));
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task Device_reports_move_a_device_through_pending_to_successful()
    {
        var organisation = Guid.NewGuid();
        var id = $"r{Guid.NewGuid():N}"[..10];
        var device = Fixture.Grains.GetGrain<IDeviceGrain>(id);
        await device.Create(new DeviceDraft(organisation, null, id, false, [], await Fixture.HashAsSiloAsync("pw")));
        var deployment = Fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        await deployment.Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [id]));

        var sent = await device.Exchange("pw", new DeviceExchange([], ActionReports.None));
        var fota = Assert.Single(sent!.Actions);
        Assert.Equal(ActionTypes.Fota, fota.Type);
        Assert.Contains(id, (await Eventually(deployment, v => v.Pending.Count == 1)).Pending);

        await device.Exchange("pw", new DeviceExchange([], new ActionReports([], [new DeviceResponse(fota.Id, "{}", DeviceResponse.Success)], [])));
        var done = await Eventually(deployment, v => v.Finished);
        Assert.Equal([id], done.Successful);
        Assert.Empty(done.Pending);
    }

    [Fact]
    public async Task Deleting_a_device_fails_its_update()
    {
        var organisation = Guid.NewGuid();
        var device = await NewDeviceAsync(organisation);
        var deployment = Fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        await deployment.Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [device]));
        await Fixture.Grains.GetGrain<IDeviceGrain>(device).Delete();
        Assert.Contains(device, (await Eventually(deployment, v => v.Failed.Count == 1)).Failed);
    }

    [Fact]
    public async Task A_device_whose_deployment_committed_but_never_confirmed_takes_its_update_from_its_rows()
    {
        var organisation = Guid.NewGuid();
        var id = $"c{Guid.NewGuid():N}"[..10];
        var device = Fixture.Grains.GetGrain<IDeviceGrain>(id);
        await device.Create(new DeviceDraft(organisation, null, id, false, [], await Fixture.HashAsSiloAsync("pw")));
        var start = new UpdateStart(NextId(), NextId(), NextId(), "{}", "File0001");
        var reservation = await device.ReserveUpdate(start);
        Assert.Equal(UpdateStartResult.Started, reservation.Result);

        // Reserved, not committed: nothing to send, and no other deployment may have the device.
        Assert.Empty((await device.Exchange("pw", new DeviceExchange([], ActionReports.None)))!.Actions);
        Assert.Equal(UpdateStartResult.Busy, (await device.ReserveUpdate(start with { UpdateId = NextId(), ActionId = NextId() })).Result);

        // The deployment commits, and its silo dies before it confirms: the device finds the action in its rows.
        await Fixture.Database.CommitAsync(new Storage.Commit.ChangeSet().AddActions([reservation.Action!], DateTime.UtcNow));
        var sent = await device.Exchange("pw", new DeviceExchange([], ActionReports.None));
        Assert.Equal([start.ActionId], sent!.Actions.Select(a => a.Id));
        Assert.Equal(UpdateStartResult.Busy, (await device.ReserveUpdate(start with { UpdateId = NextId(), ActionId = NextId() })).Result);
    }

    [Fact]
    public async Task A_staged_rollout_sends_its_first_group_only_and_the_next_once_the_gate_opens_while_every_device_stays_reserved()
    {
        var organisation = Guid.NewGuid();
        var devices = await DevicesWithPasswordAsync(organisation, 3);
        var ids = devices.Select(d => d.GetPrimaryKeyString()).ToList();
        var deployment = Fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        var created = (await deployment.Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), ids, new Deployments.Rollouts.RolloutPolicy([1]))))!.Deployment!;
        Assert.Equal(Deployments.Rollouts.RolloutStatus.Running, created.Status);
        Assert.Equal([1, 2], created.Groups!.Select(g => g.Size));
        Assert.NotNull(created.Groups![0].StartedAt);
        Assert.Null(created.Groups![1].StartedAt);

        var first = Assert.Single(await WakeAsync(devices[0]));
        Assert.Equal(ActionTypes.Fota, first.Type);
        Assert.Empty(await WakeAsync(devices[1]));
        Assert.Equal(UpdateStartResult.Busy, (await devices[2].ReserveUpdate(new UpdateStart(NextId(), NextId(), NextId(), "{}", "File0001"))).Result);

        await WakeAsync(devices[0], Answer(first.Id, DeviceResponse.Success));
        var opened = await Eventually(deployment, v => v.Groups![1].StartedAt is not null);
        Assert.NotNull(opened.Groups![1].StartedAt);

        // The deployment shows a decision as soon as it is written; the releases follow.
        Assert.Equal(ActionTypes.Fota, Assert.Single(await Eventually(() => WakeAsync(devices[1]), a => a.Count > 0)).Type);
        Assert.Equal(ActionTypes.Fota, Assert.Single(await Eventually(() => WakeAsync(devices[2]), a => a.Count > 0)).Type);
    }

    [Fact]
    public async Task An_aborted_rollout_withdraws_what_was_not_sent_and_lets_what_was_sent_finish()
    {
        var organisation = Guid.NewGuid();
        var devices = await DevicesWithPasswordAsync(organisation, 4);
        var ids = devices.Select(d => d.GetPrimaryKeyString()).ToList();
        var deployment = Fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        await deployment.Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), ids, new Deployments.Rollouts.RolloutPolicy([3], SuccessThreshold: 0.3, ErrorThreshold: 0.5)));

        // Three released: the first fails, the second has its action, the third has not woken.
        var first = Assert.Single(await WakeAsync(devices[0]));
        var second = Assert.Single(await WakeAsync(devices[1]));
        await WakeAsync(devices[0], Answer(first.Id, DeviceResponse.Failure));
        await Eventually(deployment, v => v.Failed.Count == 1);
        await WakeAsync(devices[1], Answer(second.Id, DeviceResponse.Failure));
        var aborted = await Eventually(deployment, v => v.Status == Deployments.Rollouts.RolloutStatus.Aborted);
        Assert.Equal(Deployments.Rollouts.RolloutStatus.Aborted, aborted.Status);

        // The third's update is withdrawn (its grain tells: failed); the fourth's group never
        // starts (failed at once): neither ever gets it, both are free again.
        var done = await Eventually(deployment, v => v.Finished);
        Assert.Empty(await WakeAsync(devices[2]));
        Assert.Empty(await WakeAsync(devices[3]));
        Assert.Equal(ids.Order(), done.Failed.Order());
        Assert.Null(done.Groups![1].StartedAt);
        Assert.Equal(UpdateStartResult.Started, (await devices[3].ReserveUpdate(new UpdateStart(NextId(), NextId(), NextId(), "{}", "File0001"))).Result);
    }

    [Fact]
    public async Task A_paused_rollout_starts_no_group_until_it_is_resumed()
    {
        var organisation = Guid.NewGuid();
        var devices = await DevicesWithPasswordAsync(organisation, 2);
        var deployment = Fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        await deployment.Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), devices.Select(d => d.GetPrimaryKeyString()).ToList(), new Deployments.Rollouts.RolloutPolicy([1])));
        var first = Assert.Single(await WakeAsync(devices[0]));
        Assert.Equal(Deployments.Rollouts.RolloutStatus.Paused, (await deployment.SetPaused(true))!.Status);

        await WakeAsync(devices[0], Answer(first.Id, DeviceResponse.Success));
        await Eventually(deployment, v => v.Successful.Count == 1);
        Assert.Empty(await WakeAsync(devices[1]));

        Assert.Equal(Deployments.Rollouts.RolloutStatus.Running, (await deployment.SetPaused(false))!.Status);
        Assert.Single(await WakeAsync(devices[1]));
    }
}
