using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Devices;

/// <summary>
/// Gives new devices their ids and their stored credentials (the password's hash, and the
/// password sealed under the id for DTLS): one device through its grain (a new random id, again
/// if it was taken), or a whole import as rows in one transaction.
/// </summary>
public sealed class DeviceCreator(IGrainFactory grains, DeviceIndex index, TimeProvider time, PlatformKeys keys, Database database, PlannerStatistics statistics)
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

    /// <summary>
    /// Imports devices (name and password each) all or nothing, one import at a time per silo
    /// (<see cref="Database.Imports"/>: more waiting than its queue takes are refused, 503).
    /// Names the organisation already uses refuse the import (<see cref="ImportResult.Taken"/>);
    /// null devices when a name or id was taken meanwhile. Its work runs on the
    /// <see cref="LowPriorityScheduler"/>, so that devices exchanging meanwhile go first.
    /// </summary>
    public Task<ImportResult> ImportAsync(
        Guid organisationId, Guid? applicationId, bool activated, IReadOnlyList<(string Name, string Password)> devices) =>
        database.Imports.RunAsync(_ => LowPriorityScheduler.Shared.RunAsync(async () =>
        {
            var taken = await index.TakenNamesAsync(organisationId, devices.Select(d => d.Name).ToList());
            if (taken.Count > 0)
            {
                return new ImportResult(null, taken);
            }

            var now = Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
            var records = devices
                .Select(d => (Id: ShortIds.New(), d.Name, d.Password))
                .Select(d => new DeviceRecord(
                    new DeviceView(d.Id, organisationId, applicationId, d.Name, activated, "other", [], now, null),
                    keys.Hasher.Hash(d.Password),
                    keys.PasswordSeal.Seal(d.Id, d.Password)))
                .ToList();
            if (!await index.ImportAsync(records))
            {
                return new ImportResult(null, []);
            }

            statistics.RowsAdded("devices", records.Count);
            index.AnchorInBackground(new TenantScope(organisationId, null));
            if (applicationId is not null)
            {
                index.AnchorInBackground(new TenantScope(organisationId, applicationId));
            }

            return new ImportResult(records.Select(r => r.View).ToList(), []);
        }));
}

/// <summary>What an import did: the devices it created, or the names that refused it (none: a race lost, try again).</summary>
public sealed record ImportResult(List<DeviceView>? Imported, List<string> Taken);
