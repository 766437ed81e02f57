using System.Security.Cryptography;
using Embever.Actors.Security;

namespace Embever.Actors.Storage;

/// <summary>
/// Keys generated once per installation and kept in the database, so that every silo of a
/// cluster and every restart sign and hash with the same ones: the JWT signing key and the
/// key of the secret hasher, the key that seals device passwords (and DTLS sessions), the key of
/// DTLS hello cookies (so any silo takes a cookie another made).
/// </summary>
public sealed class PlatformKeys
{
    private byte[]? signingKey;
    private SecretHasher? hasher;
    private PasswordSeal? passwordSeal;
    private byte[]? cookieKey;

    public byte[] SigningKey => signingKey ?? throw NotLoaded();

    public SecretHasher Hasher => hasher ?? throw NotLoaded();

    public PasswordSeal PasswordSeal => passwordSeal ?? throw NotLoaded();

    public byte[] DtlsCookieKey => cookieKey ?? throw NotLoaded();

    public bool IsLoaded => signingKey is not null;

    public async Task LoadAsync(Database database, CancellationToken cancellationToken)
    {
        signingKey = await LoadOrCreateAsync(database, "jwt_signing_key", cancellationToken);
        hasher = new SecretHasher(await LoadOrCreateAsync(database, "secret_hash_key", cancellationToken));
        passwordSeal = new PasswordSeal(await LoadOrCreateAsync(database, "device_psk_key", cancellationToken));
        cookieKey = await LoadOrCreateAsync(database, "dtls_cookie_key", cancellationToken);
    }

    /// <summary>For tests that run grains without a database.</summary>
    public void Use(byte[] jwtSigningKey, byte[] hashKey)
    {
        signingKey = jwtSigningKey;
        hasher = new SecretHasher(hashKey);
        passwordSeal = new PasswordSeal(hashKey);
        cookieKey = hashKey;
    }

    private static async Task<byte[]> LoadOrCreateAsync(Database database, string name, CancellationToken cancellationToken)
    {
        // Whoever inserts first wins; everyone then reads the winner's key.
        var candidate = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await database.ExecuteAsync(
            "INSERT INTO platform_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING",
            p => p.Add("name", name).Add("value", candidate),
            cancellationToken);
        var stored = await database.ScalarAsync<string>("SELECT value FROM platform_secrets WHERE name = @name", p => p.Add("name", name), cancellationToken);
        return Convert.FromBase64String(stored!);
    }

    private static InvalidOperationException NotLoaded() => new("Platform keys are not loaded yet: the storage start-up stage has not run.");
}
