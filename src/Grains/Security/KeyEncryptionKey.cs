using System.Security.Cryptography;

namespace Embever.Actors.Security;

/// <summary>
/// The key that seals the platform's own keys where they are stored (<c>platform_secrets</c>), so
/// that a dump or a backup of the database alone opens nothing: it lives outside the database (a
/// file or an environment variable, <c>Embever:Keys</c>). Each sealed value names the key that
/// sealed it by its id (<see cref="Id"/>, not secret), so a silo given another key says so rather
/// than failing obscurely, and a value sealed under the <paramref name="previous"/> key (while the
/// operator rotates this one) still opens and is sealed again under the current one.
/// Layout: <c>sealed:&lt;key id&gt;:&lt;base64 of nonce, tag, ciphertext&gt;</c> (AES-256-GCM, the
/// secret's name as associated data, so a value copied onto another name does not open).
/// </summary>
public sealed class KeyEncryptionKey
{
    public const int Size = 32;
    private const string Prefix = "sealed:";

    private readonly PasswordSeal seal;
    private readonly KeyEncryptionKey? previous;

    public KeyEncryptionKey(byte[] key, KeyEncryptionKey? previous = null)
    {
        if (key.Length != Size)
        {
            throw new ArgumentException($"A key-encryption key is {Size} bytes (base64: 44 characters); this one is {key.Length}.", nameof(key));
        }

        seal = new PasswordSeal(key);
        this.previous = previous;
        Id = Convert.ToHexStringLower(SHA256.HashData([.. "embever-kek:"u8, .. key]).AsSpan(0, 8));
    }

    /// <summary>Names the key without revealing it (a hash of it).</summary>
    public string Id { get; }

    /// <summary>A key from its base64 form (a file's content or an environment variable).</summary>
    public static KeyEncryptionKey FromBase64(string text, KeyEncryptionKey? previous = null)
    {
        var bytes = new byte[Size * 2];
        return Convert.TryFromBase64String(text.Trim(), bytes, out var written) && written == Size
            ? new KeyEncryptionKey(bytes[..Size], previous)
            : throw new InvalidOperationException($"A key-encryption key must be {Size} random bytes in base64 (e.g. `head -c 32 /dev/urandom | base64`).");
    }

    public static bool IsSealed(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    public string Seal(string name, byte[] secret) => $"{Prefix}{Id}:{Convert.ToBase64String(seal.Seal(Context(name), secret))}";

    /// <summary>Whether <paramref name="stored"/> is sealed under this key (not a previous one, not in the clear).</summary>
    public bool SealedHere(string stored) => IsSealed(stored) && KeyIdOf(stored) == Id;

    /// <summary>The secret <paramref name="name"/> held; throws, naming both keys, when another key sealed it.</summary>
    public byte[] Open(string name, string stored)
    {
        var kid = KeyIdOf(stored);
        if (kid != Id)
        {
            return previous is not null && kid == previous.Id
                ? previous.Open(name, stored)
                : throw new InvalidOperationException(
                    $"The platform key '{name}' in the database is sealed under key-encryption key {kid}, but this silo has key {Id}. " +
                    "Give every silo the same key (Embever:Keys:File or Embever:Keys:Key); while rotating it, the old one as Embever:Keys:PreviousFile.");
        }

        var sealedBytes = Convert.FromBase64String(stored[(Prefix.Length + kid.Length + 1)..]);
        return seal.Open(Context(name), sealedBytes)
            ?? throw new InvalidOperationException($"The platform key '{name}' does not open under key-encryption key {Id}: it was altered, or copied from another name.");
    }

    private static string KeyIdOf(string stored)
    {
        var end = stored.IndexOf(':', Prefix.Length);
        return IsSealed(stored) && end > Prefix.Length ? stored[Prefix.Length..end] : throw new InvalidOperationException("Not a sealed value.");
    }

    private static string Context(string name) => "platform-secret:" + name;
}
