using System.Security.Cryptography;
using System.Text;

namespace Embever.Actors.Security;

/// <summary>
/// Keeps a device's password recoverable for DTLS-PSK, where the server needs the key itself
/// (RFC 4279): AES-256-GCM under a platform key, the device id as associated data so that a
/// sealed value copied onto another device's row does not open. Layout: nonce (12), tag (16),
/// ciphertext. DTLS sessions' record keys are sealed the same way, under their own context.
/// </summary>
public sealed class PasswordSeal(byte[] key)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public byte[] Seal(string deviceId, string password) => Seal(deviceId, Encoding.UTF8.GetBytes(password));

    /// <summary>Seals <paramref name="plain"/>; it opens only with the same <paramref name="context"/>.</summary>
    public byte[] Seal(string context, ReadOnlySpan<byte> plain)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return sealedBytes;
    }

    /// <summary>The plain bytes (a password's: the PSK), or null when the value does not open.</summary>
    public byte[]? Open(string context, byte[] sealedBytes)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            return null;
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(context));
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
