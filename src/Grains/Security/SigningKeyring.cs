using System.Security.Cryptography;
using System.Text.Json;

namespace Embever.Actors.Security;

/// <summary>One JWT signing key: its id (the <c>kid</c> of the tokens it signs), the key, and when it was made.</summary>
public sealed record SigningKey(string Kid, byte[] Key, DateTime Created)
{
    public static SigningKey New(DateTime now) => Of(RandomNumberGenerator.GetBytes(32), now);

    /// <summary>A key's id is a hash of it: public, stable, the same on every silo.</summary>
    public static SigningKey Of(byte[] key, DateTime created) =>
        new(Convert.ToHexStringLower(SHA256.HashData([.. "embever-jwt:"u8, .. key]).AsSpan(0, 8)), key, created);
}

/// <summary>
/// The platform's JWT signing keys, oldest first: the last signs; each earlier one was retired
/// when the next was made. A retired key still verifies what it signed before it was retired:
/// access and refresh tokens until they expire, application tokens (whose secret is checked
/// against the store as well) for good. Tokens without a <c>kid</c> are from before keys had ids:
/// the first key signed them.
/// </summary>
public sealed class SigningKeyring(IReadOnlyList<SigningKey> keys)
{
    public IReadOnlyList<SigningKey> Keys => keys;

    public SigningKey Current => keys[^1];

    public SigningKey? Find(string? kid) => string.IsNullOrEmpty(kid) ? keys[0] : keys.FirstOrDefault(k => k.Kid == kid);

    /// <summary>When <paramref name="key"/> stopped signing; null for the current key.</summary>
    public DateTime? RetiredAt(SigningKey key)
    {
        for (var i = 0; i < keys.Count - 1; i++)
        {
            if (keys[i].Kid == key.Kid)
            {
                return keys[i + 1].Created;
            }
        }

        return null;
    }

    public SigningKeyring With(SigningKey key) => new([.. keys, key]);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(keys.Select(k => new Stored(Convert.ToBase64String(k.Key), k.Created)).ToList());

    public static SigningKeyring FromBytes(byte[] bytes) =>
        new(JsonSerializer.Deserialize<List<Stored>>(bytes)!.Select(s => SigningKey.Of(Convert.FromBase64String(s.Key), s.Created)).ToList());

    private sealed record Stored(string Key, DateTime Created);
}
