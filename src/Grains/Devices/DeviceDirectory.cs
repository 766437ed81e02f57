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

    /// <summary>The keys of many devices in one query (DTLS handshakes waiting together); unknown ids are absent.</summary>
    public async Task<Dictionary<string, byte[]>> PreSharedKeysAsync(IReadOnlyList<string> ids)
    {
        var names = string.Join(", ", ids.Select((_, i) => $"@p{i}"));
        var rows = await database.QueryAsync(
            $"SELECT id, sealed_password FROM devices WHERE id IN ({names}) AND sealed_password IS NOT NULL",
            p =>
            {
                for (var i = 0; i < ids.Count; i++)
                {
                    p.Add($"p{i}", ids[i]);
                }
            },
            reader => (Id: reader.GetString(0), Sealed: (byte[])reader.GetValue(1)));
        var found = new Dictionary<string, byte[]>(rows.Count, StringComparer.Ordinal);
        foreach (var (id, sealedPassword) in rows)
        {
            if (keys.PasswordSeal.Open(id, sealedPassword) is { } key)
            {
                found[id] = key;
            }
        }

        return found;
    }

    /// <summary>Forgets a deleted device on this silo.</summary>
    public void Forget(string id) => known.TryRemove(id, out _);
}
