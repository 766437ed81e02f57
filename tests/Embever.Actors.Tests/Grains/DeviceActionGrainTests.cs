using Embever.Actors.Actions;
using Embever.Actors.Devices;
using Embever.Actors.Events;

namespace Embever.Actors.Tests.Grains;

[Collection(GrainClusterCollection.Name)]
public sealed class DeviceActionGrainTests(GrainClusterFixture fixture)
{
    private const string Password = "device-password";

    private async Task<IDeviceGrain> NewDeviceAsync()
    {
        var grain = fixture.Grains.GetGrain<IDeviceGrain>($"g{Guid.NewGuid():N}"[..12]);
        var created = await grain.Create(new DeviceDraft(Guid.NewGuid(), null, $"grain-{Guid.NewGuid():N}", false, [], await fixture.HashAsSiloAsync(Password)));
        Assert.Equal(DeviceWriteError.None, created.Error);
        return grain;
    }

    private static NewAction Action(long id, string type, int level = 0, DateTime? expiry = null) => new(id, type, "{}", [], level, expiry, null);

    private static long NextId() => Random.Shared.NextInt64(1, 1L << 50);

    [Fact]
    public async Task An_expiry_reminder_expires_the_action_even_when_the_grain_was_deactivated()
    {
        var device = await NewDeviceAsync();
        var id = NextId();
        await device.CreateAction(Action(id, "short", expiry: DateTime.UtcNow.AddSeconds(2)));
        await fixture.DeactivateAllAsync();

        var index = new ActionIndex(fixture.Database);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await index.GetAsync(id))?.Expired != true && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var stored = await index.GetAsync(id);
        Assert.True(stored!.Expired);
        Assert.True(stored.Finished);
        Assert.True(stored.Reached(ActionStatuses.Expired));
    }

    [Fact]
    public async Task The_exchange_checks_the_password_and_keeps_state_across_deactivation()
    {
        var device = await NewDeviceAsync();
        Assert.Null(await device.Exchange("wrong", new DeviceExchange([], ActionReports.None)));

        var id = NextId();
        await device.CreateAction(Action(id, "locate", level: 2));
        var first = await device.Exchange(Password, new DeviceExchange([new NewEvent("boot", "{\"v\":1}")], ActionReports.None));
        Assert.Equal([id], first!.Actions.Select(a => a.Id));
        Assert.Single(first.Events);

        await fixture.DeactivateAllAsync();
        var again = await device.Exchange(Password, new DeviceExchange([], new ActionReports([], [new DeviceResponse(id, "{}", DeviceResponse.Success)], [])));
        Assert.Empty(again!.Actions);
        Assert.Empty(again.Rejected);
        var stored = await new ActionIndex(fixture.Database).GetAsync(id);
        Assert.True(stored!.Finished);
        Assert.Equal(1, stored.SendCount);
        var view = await device.Get();
        Assert.NotNull(view!.LastSeenAt);
    }

    [Fact]
    public async Task Cancel_finds_finished_actions_in_storage_and_leaves_them_unchanged()
    {
        var device = await NewDeviceAsync();
        var ids = Enumerable.Range(0, ActionBuffer.RecentCapacity + 3).Select(_ => NextId()).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            await device.CreateAction(Action(ids[i], $"type{i}"));
        }

        var sent = await device.Exchange(Password, new DeviceExchange([], ActionReports.None));
        Assert.Equal(ids, sent!.Actions.Select(a => a.Id));

        // The oldest one is no longer at hand in the grain; cancel and late acks find it in storage.
        var oldest = await device.CancelAction(ids[0]);
        Assert.NotNull(oldest);
        Assert.False(oldest.Cancelled);
        var late = await device.Exchange(Password, new DeviceExchange([], new ActionReports([ids[0]], [], [])));
        Assert.Empty(late!.Rejected);
        Assert.True((await new ActionIndex(fixture.Database).GetAsync(ids[0]))!.Reached(ActionStatuses.Delivered));
        Assert.Null(await device.CancelAction(NextId()));
    }
}
