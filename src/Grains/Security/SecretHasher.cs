using System.Security.Cryptography;
using System.Text;

namespace Embever.Actors.Security;

/// <summary>
/// Hashes server-generated secrets (device passwords, token secrets) with HMAC-SHA-256 under
/// a platform key. The secrets are random with at least 128 bits, so a slow KDF buys nothing
/// and would burn the CPU in a wake storm; the key keeps a stolen table useless on its own.
/// </summary>
public sealed class SecretHasher(byte[] key)
{
    public byte[] Hash(string secret)
    {
        Span<byte> utf8 = secret.Length <= 256 ? stackalloc byte[secret.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var written = Encoding.UTF8.GetBytes(secret, utf8);
        return HMACSHA256.HashData(key, utf8[..written]);
    }

    public bool Matches(string secret, byte[] expectedHash)
    {
        Span<byte> utf8 = secret.Length <= 256 ? stackalloc byte[secret.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var written = Encoding.UTF8.GetBytes(secret, utf8);
        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, utf8[..written], actual);
        return CryptographicOperations.FixedTimeEquals(actual, expectedHash);
    }
}
