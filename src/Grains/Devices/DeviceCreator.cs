using Embever.Actors.Platform;

namespace Embever.Actors.Devices;

/// <summary>
/// Gives new devices their ids: one device through its grain (a new random id, again if it was
/// taken), or a whole import as rows in one transaction.
/// </summary>
public sealed class DeviceCreator(IGrainFactory grains, DeviceIndex index, TimeProvider time)
{
    private const int Attempts = 5;

    public async Task<DeviceWriteResult> CreateAsync(DeviceDraft draft)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var result = await grains.GetGrain<IDeviceGrain>(ShortIds.New()).Create(draft);
            if (result.Error != DeviceWriteError.IdTaken)
            {
                return result;
            }
        }

        throw new InvalidOperationException($"Could not find a free device id in {Attempts} attempts.");
    }

    /// <summary>Imports devices (name and password hash each) all or nothing; null when a name or id was taken meanwhile.</summary>
    public async Task<List<DeviceView>?> ImportAsync(
        Guid organisationId, Guid? applicationId, bool activated, IReadOnlyList<(string Name, byte[] PasswordHash)> devices)
    {
        var now = Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
        var records = devices
            .Select(d => new DeviceRecord(new DeviceView(ShortIds.New(), organisationId, applicationId, d.Name, activated, "other", [], now, null), d.PasswordHash))
            .ToList();
        return await index.ImportAsync(records) ? records.Select(r => r.View).ToList() : null;
    }
}
