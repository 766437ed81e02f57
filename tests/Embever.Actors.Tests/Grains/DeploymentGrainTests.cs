using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Devices;
using Embever.Actors.Firmware;

namespace Embever.Actors.Tests.Grains;

[Collection(GrainClusterCollection.Name)]
public sealed class DeploymentGrainTests(GrainClusterFixture fixture)
{
    private async Task<FirmwareView> FirmwareAsync(Guid organisation)
    {
        // A firmware row, as an upload makes: a deployment commits only while its firmware exists.
        var firmware = new FirmwareView($"F{Guid.NewGuid():N}"[..8], organisation, "1.0", "fw", "APP", "", null, "File0001", 4, new string('a', 64), DateTime.UtcNow);
        await new FirmwareIndex(fixture.Database).InsertAsync(firmware);
        return firmware;
    }

    private async Task<string> NewDeviceAsync(Guid organisation)
    {
        var id = $"p{Guid.NewGuid():N}"[..10];
        await fixture.Grains.GetGrain<IDeviceGrain>(id).Create(new DeviceDraft(organisation, null, id, false, [], [1]));
        return id;
    }

    private static long NextId() => Random.Shared.NextInt64(1, 1L << 50);

    [Fact]
    public async Task A_device_that_became_busy_undoes_the_whole_deployment()
    {
        var organisation = Guid.NewGuid();
        var free = await NewDeviceAsync(organisation);
        var busy = await NewDeviceAsync(organisation);
        var first = await fixture.Grains.GetGrain<IDeploymentGrain>(NextId()).Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [busy]));
        Assert.NotNull(first.Deployment);

        var secondId = NextId();
        var second = await fixture.Grains.GetGrain<IDeploymentGrain>(secondId).Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [free, busy]));
        Assert.Null(second.Deployment);
        Assert.Equal([busy], second.Refused);
        Assert.Null(await fixture.Grains.GetGrain<IDeploymentGrain>(secondId).Get());

        // The free device's _fota action was withdrawn without a trace, so it can take a new one.
        var third = await fixture.Grains.GetGrain<IDeploymentGrain>(NextId()).Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [free]));
        Assert.NotNull(third.Deployment);
        var rows = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM actions WHERE device_id = @d", p => p.Add("d", free));
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task Device_reports_move_a_device_through_pending_to_successful()
    {
        var organisation = Guid.NewGuid();
        var id = $"r{Guid.NewGuid():N}"[..10];
        var device = fixture.Grains.GetGrain<IDeviceGrain>(id);
        await device.Create(new DeviceDraft(organisation, null, id, false, [], await fixture.HashAsSiloAsync("pw")));
        var deployment = fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
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
        var deployment = fixture.Grains.GetGrain<IDeploymentGrain>(NextId());
        await deployment.Create(new DeploymentDraft(organisation, await FirmwareAsync(organisation), [device]));
        await fixture.Grains.GetGrain<IDeviceGrain>(device).Delete();
        Assert.Contains(device, (await Eventually(deployment, v => v.Failed.Count == 1)).Failed);
    }

    [Fact]
    public async Task A_device_whose_deployment_committed_but_never_confirmed_takes_its_update_from_its_rows()
    {
        var organisation = Guid.NewGuid();
        var id = $"c{Guid.NewGuid():N}"[..10];
        var device = fixture.Grains.GetGrain<IDeviceGrain>(id);
        await device.Create(new DeviceDraft(organisation, null, id, false, [], await fixture.HashAsSiloAsync("pw")));
        var start = new UpdateStart(NextId(), NextId(), NextId(), "{}", "File0001");
        var reservation = await device.ReserveUpdate(start);
        Assert.Equal(UpdateStartResult.Started, reservation.Result);

        // Reserved, not committed: nothing to send, and no other deployment may have the device.
        Assert.Empty((await device.Exchange("pw", new DeviceExchange([], ActionReports.None)))!.Actions);
        Assert.Equal(UpdateStartResult.Busy, (await device.ReserveUpdate(start with { UpdateId = NextId(), ActionId = NextId() })).Result);

        // The deployment commits, and its silo dies before it confirms: the device finds the action in its rows.
        await fixture.Database.CommitAsync(new Storage.Commit.ChangeSet().AddActions([reservation.Action!], DateTime.UtcNow));
        var sent = await device.Exchange("pw", new DeviceExchange([], ActionReports.None));
        Assert.Equal([start.ActionId], sent!.Actions.Select(a => a.Id));
        Assert.Equal(UpdateStartResult.Busy, (await device.ReserveUpdate(start with { UpdateId = NextId(), ActionId = NextId() })).Result);
    }

    private static async Task<DeploymentView> Eventually(IDeploymentGrain deployment, Func<DeploymentView, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        DeploymentView view;
        do
        {
            view = (await deployment.Get())!;
            if (done(view))
            {
                return view;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return view;
    }
}
