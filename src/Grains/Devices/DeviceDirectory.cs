using System.Collections.Concurrent;
using Embever.Actors.Storage;

namespace Embever.Actors.Devices;

/// <summary>
/// Whether a device id exists, asked before a device grain is activated for a caller who is not
/// yet authenticated: an unknown id then costs one primary-key lookup and no activation, so a
/// flood of made-up ids keeps memory flat. Ids found are remembered (a bounded set, cleared when
/// full); ids not found are not, so a device created a moment later is found at once. A device
/// deleted meanwhile may still pass here: its grain then finds no row and deactivates at once.
/// </summary>
public sealed class DeviceDirectory(Database database, PlatformKeys keys)
{
    /// <summary>About 80 bytes an entry: some 16 MB at the bound.</summary>
    private const int Remembered = 200_000;

    private readonly ConcurrentDictionary<string, byte> known = new(StringComparer.Ordinal);

    public async ValueTask<bool> ExistsAsync(string id)
    {
        if (known.ContainsKey(id))
        {
            return true;
        }

        var exists = await database.ScalarAsync<long>("SELECT count(*) FROM devices WHERE id = @id", p => p.Add("id", id)) > 0;
        if (exists)
        {
            if (known.Count >= Remembered)
            {
                known.Clear();
            }

            known.TryAdd(id, 0);
        }

        return exists;
    }

    /// <summary>
    /// The key of a device's DTLS handshake: its password, opened from the row. Null for an
    /// unknown device and for one created before passwords were sealed (010_device_psk.sql).
    /// </summary>
    public async Task<byte[]?> PreSharedKeyAsync(string id)
    {
        var sealedPassword = await database.ScalarAsync<byte[]>("SELECT sealed_password FROM devices WHERE id = @id", p => p.Add("id", id));
        return sealedPassword is null ? null : keys.PasswordSeal.Open(id, sealedPassword);
    }

    /// <summary>Forgets a deleted device on this silo.</summary>
    public void Forget(string id) => known.TryRemove(id, out _);
}
