using System.Security.Cryptography;

namespace Embever.Actors.Platform;

/// <summary>Short, random, URL-safe ids for devices and firmwares (like <c>a1b2c3XY</c>).</summary>
public static class ShortIds
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Eight characters of a 62-letter alphabet: about 47 bits, collisions are retried on insert.</summary>
    public static string New(int length = 8) => RandomNumberGenerator.GetString(Alphabet, length);

    public static bool LooksValid(string? id) =>
        id is { Length: > 0 and <= 32 } && id.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_');
}
