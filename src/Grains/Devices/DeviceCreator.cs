using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Devices;

/// <summary>
/// Gives new devices their ids and their stored credentials (the password's hash, and the
/// password sealed under the id for DTLS): one device through its grain (a new random id, again
/// if it was taken), or a whole import as rows in one transaction.
/// </summary>
public sealed class DeviceCreator(IGrainFactory grains, DeviceIndex index, TimeProvider time, PlatformKeys keys)
{
    private const int Attempts = 5;

    /// <summary>Creates a device whose password is <paramref name="password"/> (the draft's hash is set here).</summary>
    public async Task<DeviceWriteResult> CreateAsync(DeviceDraft draft, string password)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var id = ShortIds.New();
            var credentials = draft with { PasswordHash = keys.Hasher.Hash(password), SealedPassword = keys.PasswordSeal.Seal(id, password) };
            var result = await grains.GetGrain<IDeviceGrain>(id).Create(credentials);
            if (result.Error != DeviceWriteError.IdTaken)
            {
                return result;
            }
        }

        throw new InvalidOperationException($"Could not find a free device id in {Attempts} attempts.");
    }

    /// <summary>Imports devices (name and password each) all or nothing; null when a name or id was taken meanwhile.</summary>
    public async Task<List<DeviceView>?> ImportAsync(
        Guid organisationId, Guid? applicationId, bool activated, IReadOnlyList<(string Name, string Password)> devices)
    {
        var now = Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
        var records = devices
            .Select(d => (Id: ShortIds.New(), d.Name, d.Password))
            .Select(d => new DeviceRecord(
                new DeviceView(d.Id, organisationId, applicationId, d.Name, activated, "other", [], now, null),
                keys.Hasher.Hash(d.Password),
                keys.PasswordSeal.Seal(d.Id, d.Password)))
            .ToList();
        return await index.ImportAsync(records) ? records.Select(r => r.View).ToList() : null;
    }
}
