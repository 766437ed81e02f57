using System.Security.Cryptography;

namespace Embever.Actors.Security;

/// <summary>Server-generated secrets: 144 random bits, URL-safe.</summary>
public static class Secrets
{
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(18));

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
