using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Embever.Actors.Storage.Index;

/// <summary>
/// Where a keyset page ends: the last row's order key (its creation time in microseconds and its
/// id). The next page starts after it, so rows added meanwhile neither shift nor repeat what a
/// reader already has. Opaque to clients: base64url of the key.
/// </summary>
public readonly record struct PageCursor(long CreatedAt, long Id)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{CreatedAt}.{Id}")));

    public static bool TryDecode(string? text, out PageCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 64 || !Base64Url.IsValid(text))
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var createdAt)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        cursor = new PageCursor(createdAt, id);
        return true;
    }
}
