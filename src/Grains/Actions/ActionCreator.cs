using Embever.Actors.Devices;
using Embever.Actors.Storage;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Actions;

/// <summary>
/// Gives a new action its cluster-unique id and hands it to its device. The id is chosen before
/// the grain call, so a retried call finds what the first one made instead of making another.
/// </summary>
public sealed class ActionCreator(IGrainFactory grains, IdBlockAllocator ids)
{
    public async Task<DeviceAction?> CreateAsync(string deviceId, string type, string payloadJson, IReadOnlyList<ActionWebhook> webhooks, int serviceLevel, DateTime? expiryDate, string? fileId)
    {
        var action = await grains.GetGrain<IDeviceGrain>(deviceId).CreateAction(
            new NewAction(await ids.NextAsync("actions"), type, payloadJson, webhooks, serviceLevel, expiryDate, fileId));
        if (action is not null)
        {
            PlatformMetrics.ActionsCreated.Add(1);
        }

        return action;
    }
}
