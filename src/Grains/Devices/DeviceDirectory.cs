using System.Collections.Concurrent;
using Embever.Actors.Storage;

namespace Embever.Actors.Devices;

/// <summary>How a device's credentials checked out at the gateway.</summary>
public enum CredentialCheck
{
    Verified,
    UnknownDevice,
    WrongPassword,

    /// <summary>Asked to check against remembered hashes only, and this device's is not remembered.</summary>
    NotRemembered,
}

/// <summary>
/// Checks a device's credentials before its grain is activated for a caller who is not yet
/// authenticated: an unknown id costs one primary-key lookup and no activation, so a flood of
/// made-up ids keeps memory flat. An unknown id and a wrong password take the same work (one
/// lookup, one keyed hash compared in constant time, against a stand-in for the unknown id) and
/// end alike at the gateway. Password hashes found are remembered (a bounded table, cleared when
/// full), so a device that comes back costs no lookup; a password that does not match what is
/// remembered is checked against the row again, so nothing stale refuses a device. The grain
/// still checks the password itself; a device deleted meanwhile finds no row there.
/// </summary>
public sealed class DeviceDirectory(Database database, PlatformKeys keys)
{
    /// <summary>About 150 bytes an entry: some 30 MB at the bound.</summary>
    private const int Remembered = 200_000;

    /// <summary>What an unknown id's password is compared with: the same work as a known one's.</summary>
    private static readonly byte[] NoDevice = new byte[32];

    private readonly ConcurrentDictionary<string, (byte[] Hash, Guid Organisation)> remembered = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="password"/> is <paramref name="id"/>'s. With
    /// <paramref name="rememberedOnly"/> nothing is read from the database (a caller that keeps
    /// failing is checked at no cost): a device not remembered is <see cref="CredentialCheck.NotRemembered"/>.
    /// </summary>
    public async ValueTask<(CredentialCheck Check, Guid Organisation)> VerifyAsync(string id, string password, bool rememberedOnly = false)
    {
        if (remembered.TryGetValue(id, out var known) && keys.Hasher.Matches(password, known.Hash))
        {
            return (CredentialCheck.Verified, known.Organisation);
        }

        if (rememberedOnly)
        {
            return (CredentialCheck.NotRemembered, Guid.Empty);
        }

        var rows = await database.QueryAsync(
            "SELECT password_hash, organisation_id FROM devices WHERE id = @id",
            p => p.Add("id", id),
            reader => (Hash: reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0), Organisation: Guid.Parse(reader.GetString(1))));
        var matches = keys.Hasher.Matches(password, rows is [{ Hash: { } found }] ? found : NoDevice);
        if (rows.Count == 0)
        {
            return (CredentialCheck.UnknownDevice, Guid.Empty);
        }

        var (hash, organisation) = rows[0];
        if (hash is null)
        {
            // A row from before password hashes were columns: its grain decides.
            return (CredentialCheck.Verified, organisation);
        }

        if (remembered.Count >= Remembered)
        {
            remembered.Clear();
        }

        remembered[id] = (hash, organisation);
        return (matches ? CredentialCheck.Verified : CredentialCheck.WrongPassword, organisation);
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
    public void Forget(string id) => remembered.TryRemove(id, out _);
}
