using Embever.Actors.Devices;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Tests.Grains;

[Collection(GrainClusterCollection.Name)]
public sealed class DeviceGrainTests(GrainClusterFixture fixture)
{
    private static DeviceDraft Draft(Guid organisation, string name) => new(organisation, null, name, false, [], [1, 2, 3]);

    [Fact]
    public async Task A_created_device_is_read_back_after_deactivation()
    {
        var organisation = Guid.NewGuid();
        var id = $"dev{Guid.NewGuid():N}"[..12];
        var created = await fixture.Grains.GetGrain<IDeviceGrain>(id).Create(Draft(organisation, "persisted") with
        {
            Webhooks = [new EventWebhook("temp", "https://example.com/t", true)],
        });
        Assert.Equal(DeviceWriteError.None, created.Error);

        await fixture.DeactivateAllAsync();
        var read = await fixture.Grains.GetGrain<IDeviceGrain>(id).Get();
        Assert.NotNull(read);
        Assert.Equal("persisted", read.Name);
        Assert.Equal(organisation, read.OrganisationId);
        Assert.Equal(new EventWebhook("temp", "https://example.com/t", true), Assert.Single(read.Webhooks));
    }

    [Fact]
    public async Task Creating_twice_under_one_id_asks_for_another_id_and_a_taken_name_is_refused()
    {
        var organisation = Guid.NewGuid();
        var first = $"a{Guid.NewGuid():N}"[..10];
        var second = $"b{Guid.NewGuid():N}"[..10];
        Assert.Equal(DeviceWriteError.None, (await fixture.Grains.GetGrain<IDeviceGrain>(first).Create(Draft(organisation, "one"))).Error);
        Assert.Equal(DeviceWriteError.IdTaken, (await fixture.Grains.GetGrain<IDeviceGrain>(first).Create(Draft(organisation, "two"))).Error);

        // The very same create, retried after a lost answer, succeeds again.
        Assert.Equal(DeviceWriteError.None, (await fixture.Grains.GetGrain<IDeviceGrain>(first).Create(Draft(organisation, "one"))).Error);
        Assert.Equal(DeviceWriteError.NameTaken, (await fixture.Grains.GetGrain<IDeviceGrain>(second).Create(Draft(organisation, "one"))).Error);
        Assert.Null(await fixture.Grains.GetGrain<IDeviceGrain>(second).Get());
        Assert.Equal(DeviceWriteError.None, (await fixture.Grains.GetGrain<IDeviceGrain>(second).Create(Draft(Guid.NewGuid(), "one"))).Error);
    }

    [Fact]
    public async Task Update_keeps_the_index_in_step_and_a_rename_onto_a_taken_name_changes_nothing()
    {
        var organisation = Guid.NewGuid();
        var index = new DeviceIndex(fixture.Database);
        var id = $"u{Guid.NewGuid():N}"[..10];
        var other = $"o{Guid.NewGuid():N}"[..10];
        await fixture.Grains.GetGrain<IDeviceGrain>(id).Create(Draft(organisation, "old"));
        await fixture.Grains.GetGrain<IDeviceGrain>(other).Create(Draft(organisation, "busy"));

        var renamed = await fixture.Grains.GetGrain<IDeviceGrain>(id).Update(new DevicePatch("new", false, null, true, null));
        Assert.Equal("new", renamed.Device!.Name);
        Assert.True(renamed.Device.Activated);
        var listed = await index.ListAsync(new Filter().Equal("organisation_id", organisation.ToString()).Equal("name", "new"), new PageRequest(10, 0));
        Assert.Equal(id, Assert.Single(listed.Items).Id);

        var refused = await fixture.Grains.GetGrain<IDeviceGrain>(id).Update(new DevicePatch("busy", false, null, false, null));
        Assert.Equal(DeviceWriteError.NameTaken, refused.Error);
        var unchanged = await fixture.Grains.GetGrain<IDeviceGrain>(id).Get();
        Assert.Equal("new", unchanged!.Name);
        Assert.True(unchanged.Activated);
    }

    [Fact]
    public async Task Delete_removes_state_and_index_row()
    {
        var organisation = Guid.NewGuid();
        var id = $"d{Guid.NewGuid():N}"[..10];
        await fixture.Grains.GetGrain<IDeviceGrain>(id).Create(Draft(organisation, "gone"));
        Assert.True(await fixture.Grains.GetGrain<IDeviceGrain>(id).Delete());
        Assert.False(await fixture.Grains.GetGrain<IDeviceGrain>(id).Delete());
        await fixture.DeactivateAllAsync();
        Assert.Null(await fixture.Grains.GetGrain<IDeviceGrain>(id).Get());
        var count = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM devices WHERE id = @id", p => p.Add("id", id));
        Assert.Equal(0, count);
    }
}
