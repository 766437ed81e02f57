using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>Verifies X-Org-Token / X-App-Token the way a receiver would: HS256 with the shared secret.</summary>
public static class WebhookTokens
{
    public static JsonNode Verify(string jwt, string secret)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonNode.Parse(Decode(parts[0]))!;
        Assert.Equal("HS256", header["alg"]!.GetValue<string>());
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        Assert.True(CryptographicOperations.FixedTimeEquals(expected, Decode(parts[2])), "signature does not verify with the secret");
        return JsonNode.Parse(Decode(parts[1]))!;
    }

    private static byte[] Decode(string part)
    {
        var base64 = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }
}
