using System.Text;

namespace Embever.Actors.Api.Coap;

/// <summary>What a resource answers: a code, options and a payload; the message layer makes it a message.</summary>
public sealed record CoapResponse(CoapCode Code, IReadOnlyList<CoapOption> Options, byte[] Payload)
{
    /// <summary>The longest diagnostic payload: the answer must fit one datagram.</summary>
    private const int MaxDiagnostic = 480;

    /// <summary>An error with a diagnostic payload (RFC 7252 §5.5.2: UTF-8 text, no content-format), cut to fit a datagram.</summary>
    public static CoapResponse Error(CoapCode code, string diagnostic, params CoapOption[] options)
    {
        var text = diagnostic.Length > MaxDiagnostic ? diagnostic[..MaxDiagnostic] + "…" : diagnostic;
        return new CoapResponse(code, options, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Max-Age in whole seconds, at least one: how long a 4.29 or 5.03 tells the device to wait.</summary>
    public static CoapOption MaxAge(TimeSpan wait) => CoapOption.Uint(CoapOption.MaxAge, (uint)Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
}
