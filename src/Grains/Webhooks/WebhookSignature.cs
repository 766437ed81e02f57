using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Embever.Actors.Security;

namespace Embever.Actors.Webhooks;

/// <summary>
/// The <c>X-Org-Token</c> / <c>X-App-Token</c> JWTs: HS256 over <c>{organisation_id|application_id, iat, exp}</c>
/// with the organisation's or application's secret, valid for its token lifespan. Written by hand
/// because the secrets are the customer's and may be shorter than JWT libraries insist on.
/// </summary>
public static class WebhookSignature
{
    private static readonly string Header = Secrets.Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);

    public static string Sign(string idClaim, Guid id, string secret, int lifespanInSeconds, DateTime now)
    {
        var issuedAt = new DateTimeOffset(now).ToUnixTimeSeconds();
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            [idClaim] = id.ToString(),
            ["iat"] = issuedAt,
            ["exp"] = issuedAt + lifespanInSeconds,
        });
        var signingInput = $"{Header}.{Secrets.Base64Url(payload)}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Secrets.Base64Url(signature)}";
    }
}
