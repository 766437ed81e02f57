using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Http;

/// <summary>
/// The <c>Embever:Limits</c> section: how much UTF-8 JSON an action's payload, and one exchange's
/// events, may hold (CONTRACT.md, "Limits and refusals at the gateway"). NB-IoT and LTE-M devices
/// send tens to hundreds of bytes; 64 KiB leaves room for a getFile action's small file while a
/// hundred requests at the limit cost the silo tens of megabytes, not gigabytes.
/// </summary>
public sealed class LimitsOptions
{
    public long PayloadBytes { get; set; } = 64 * 1024;

    /// <summary>The operator's exceptions, by organisation id: <c>Embever:Limits:Organisations:&lt;id&gt;=262144</c>.</summary>
    public Dictionary<string, long> Organisations { get; set; } = [];
}

/// <summary>The payload limit of an organisation: its own when the operator set one, else the platform's.</summary>
public sealed class PayloadLimits(IOptionsMonitor<LimitsOptions> options)
{
    /// <summary>What a request body may add around its payload (an action's type, device and webhooks; an exchange's acks and responses).</summary>
    public const long Envelope = 64 * 1024;

    public long For(Guid organisation)
    {
        var current = options.CurrentValue;
        foreach (var (key, own) in current.Organisations)
        {
            if (own > 0 && Guid.TryParse(key, out var id) && id == organisation)
            {
                return own;
            }
        }

        return current.PayloadBytes;
    }

    /// <summary>The UTF-8 JSON of a payload as a client would write it (characters escaped only where JSON needs it: a base64 '+' counts one byte, not six).</summary>
    public static long SizeOf(System.Text.Json.Nodes.JsonNode payload) =>
        System.Text.Encoding.UTF8.GetByteCount(payload.ToJsonString(Measuring));

    private static readonly System.Text.Json.JsonSerializerOptions Measuring = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The largest limit of any organisation: what a body may be read up to before its organisation is known.</summary>
    public long Largest => Math.Max(options.CurrentValue.PayloadBytes, options.CurrentValue.Organisations.Values.DefaultIfEmpty(0).Max());
}
