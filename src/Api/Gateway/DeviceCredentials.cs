using System.Text;

namespace Embever.Actors.Api.Gateway;

/// <summary><c>Authorization: Basic base64(&lt;device id&gt;:&lt;password&gt;)</c>.</summary>
public readonly record struct DeviceCredentials(string DeviceId, string Password)
{
    /// <summary>Endpoint metadata: the endpoint takes these credentials (the gateway's; the API document says so).</summary>
    public sealed class Required;

    public static DeviceCredentials? From(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 512)
        {
            return null;
        }

        Span<byte> decoded = stackalloc byte[384];
        if (!Convert.TryFromBase64String(header[6..].Trim(), decoded, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(decoded[..written]);
        var colon = text.IndexOf(':');
        return colon > 0 && Platform.ShortIds.LooksValid(text[..colon]) ? new DeviceCredentials(text[..colon], text[(colon + 1)..]) : null;
    }
}
