using System.Security.Cryptography;
using Embever.Actors.Security;

namespace Embever.Actors.Storage;

/// <summary>
/// Keys generated once per installation and kept in the database, so that every silo of a
/// cluster and every restart sign and hash with the same ones: the JWT signing keys (a keyring
/// that the operator rotates), the key of the secret hasher, the key that seals device passwords
/// (and DTLS sessions), the key of DTLS hello cookies (so any silo takes a cookie another made).
/// Each is sealed under the <see cref="KeyEncryptionKey"/>, which is not in the database: a value
/// found in the clear (an installation from before) or under the previous key-encryption key is
/// sealed again under the current one as it is loaded.
/// </summary>
public sealed class PlatformKeys(KeyEncryptionKey keyEncryptionKey)
{
    private const string KeyringName = "jwt_signing_keys";

    /// <summary>How often a silo reads the keyring again, at most, when a token names a key it does not know.</summary>
    private static readonly TimeSpan RefreshAtMost = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim refreshing = new(1, 1);
    private Database? database;
    private SigningKeyring? keyring;
    private long refreshedAt;
    private SecretHasher? hasher;
    private PasswordSeal? passwordSeal;
    private byte[]? cookieKey;

    public SigningKeyring SigningKeys => keyring ?? throw NotLoaded();

    public SecretHasher Hasher => hasher ?? throw NotLoaded();

    public PasswordSeal PasswordSeal => passwordSeal ?? throw NotLoaded();

    public byte[] DtlsCookieKey => cookieKey ?? throw NotLoaded();

    public bool IsLoaded => keyring is not null;

    /// <summary>The id of the key-encryption key this silo seals with (diagnostics; not secret).</summary>
    public string KeyEncryptionKeyId => keyEncryptionKey.Id;

    public async Task LoadAsync(Database store, CancellationToken cancellationToken)
    {
        database = store;
        hasher = new SecretHasher(await LoadOrCreateAsync("secret_hash_key", NewKey, cancellationToken));
        passwordSeal = new PasswordSeal(await LoadOrCreateAsync("device_psk_key", NewKey, cancellationToken));
        cookieKey = await LoadOrCreateAsync("dtls_cookie_key", NewKey, cancellationToken);
        keyring = await LoadKeyringAsync(cancellationToken);
        refreshedAt = Environment.TickCount64;
    }

    /// <summary>For tests that run grains without a database.</summary>
    public void Use(byte[] jwtSigningKey, byte[] hashKey)
    {
        keyring = new SigningKeyring([SigningKey.Of(jwtSigningKey, DateTime.UnixEpoch)]);
        hasher = new SecretHasher(hashKey);
        passwordSeal = new PasswordSeal(hashKey);
        cookieKey = hashKey;
    }

    /// <summary>Reads the keyring again (another silo may have rotated it); at most once a second unless <paramref name="now"/> says it must.</summary>
    public async Task<SigningKeyring> RefreshSigningKeysAsync(bool now = false)
    {
        if (database is null || (!now && Environment.TickCount64 - Volatile.Read(ref refreshedAt) < RefreshAtMost.TotalMilliseconds))
        {
            return SigningKeys;
        }

        await refreshing.WaitAsync();
        try
        {
            // Those who waited for a read that just finished take its result.
            if (!now && Environment.TickCount64 - Volatile.Read(ref refreshedAt) < RefreshAtMost.TotalMilliseconds)
            {
                return SigningKeys;
            }

            keyring = await LoadKeyringAsync(CancellationToken.None);
            Volatile.Write(ref refreshedAt, Environment.TickCount64);
            return keyring;
        }
        finally
        {
            refreshing.Release();
        }
    }

    /// <summary>Makes a new signing key the current one for every silo; the old ones keep verifying what they signed.</summary>
    public async Task<SigningKey> RotateSigningKeyAsync(DateTime now)
    {
        var store = database ?? throw NotLoaded();
        while (true)
        {
            var stored = await store.ScalarAsync<string>("SELECT value FROM platform_secrets WHERE name = @name", p => p.Add("name", KeyringName));
            var current = SigningKeyring.FromBytes(keyEncryptionKey.Open(KeyringName, stored!));
            var next = SigningKey.New(now > current.Current.Created ? now : current.Current.Created.AddTicks(1));
            var rotated = current.With(next);

            // Compare and swap: two rotations at once make two keys, one after the other, never lose one.
            if (await store.ExecuteAsync(
                "UPDATE platform_secrets SET value = @value WHERE name = @name AND value = @old",
                p => p.Add("name", KeyringName).Add("value", keyEncryptionKey.Seal(KeyringName, rotated.ToBytes())).Add("old", stored!)) == 1)
            {
                keyring = rotated;
                return next;
            }
        }
    }

    /// <summary>
    /// The keyring, made on first use from the installation's first signing key (tokens issued
    /// before keys had ids were signed with it), which is then no longer kept on its own.
    /// </summary>
    private async Task<SigningKeyring> LoadKeyringAsync(CancellationToken cancellationToken)
    {
        var made = false;
        var bytes = await LoadOrCreateAsync(KeyringName, async () =>
        {
            made = true;
            var first = await LoadOrCreateAsync("jwt_signing_key", NewKey, cancellationToken);
            return new SigningKeyring([SigningKey.Of(first, DateTime.UnixEpoch)]).ToBytes();
        }, cancellationToken);
        if (made)
        {
            await database!.ExecuteAsync("DELETE FROM platform_secrets WHERE name = 'jwt_signing_key'", null, cancellationToken);
        }

        return SigningKeyring.FromBytes(bytes);
    }

    private static Task<byte[]> NewKey() => Task.FromResult(RandomNumberGenerator.GetBytes(32));

    private async Task<byte[]> LoadOrCreateAsync(string name, Func<Task<byte[]>> create, CancellationToken cancellationToken)
    {
        var store = database!;
        var stored = await store.ScalarAsync<string>("SELECT value FROM platform_secrets WHERE name = @name", p => p.Add("name", name), cancellationToken);
        if (stored is null)
        {
            // Whoever inserts first wins; everyone then reads the winner's key.
            var candidate = await create();
            await store.ExecuteAsync(
                "INSERT INTO platform_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING",
                p => p.Add("name", name).Add("value", keyEncryptionKey.Seal(name, candidate)),
                cancellationToken);
            stored = await store.ScalarAsync<string>("SELECT value FROM platform_secrets WHERE name = @name", p => p.Add("name", name), cancellationToken);
        }

        var key = KeyEncryptionKey.IsSealed(stored!) ? keyEncryptionKey.Open(name, stored!) : Convert.FromBase64String(stored!);
        if (!keyEncryptionKey.SealedHere(stored!))
        {
            // In the clear (from before keys were sealed) or under the previous key-encryption key: seal it under this one.
            await store.ExecuteAsync(
                "UPDATE platform_secrets SET value = @value WHERE name = @name AND value = @old",
                p => p.Add("name", name).Add("value", keyEncryptionKey.Seal(name, key)).Add("old", stored!),
                cancellationToken);
        }

        return key;
    }

    private static InvalidOperationException NotLoaded() => new("Platform keys are not loaded yet: the storage start-up stage has not run.");
}
