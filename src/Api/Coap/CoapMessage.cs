namespace Embever.Actors.Api.Coap;

/// <summary>CoAP's four message types (RFC 7252 §3).</summary>
public enum CoapType : byte
{
    Confirmable = 0,
    NonConfirmable = 1,
    Acknowledgement = 2,
    Reset = 3,
}

/// <summary>
/// One CoAP message (RFC 7252 §3): its type, code, message id, token, options in ascending order
/// of number (repeatable ones repeated), and payload. <c>Code</c> 0.00 with no token, options or
/// payload is an empty message (an ACK or RST of its own).
/// </summary>
public sealed record CoapMessage(CoapType Type, CoapCode Code, ushort MessageId, byte[] Token, IReadOnlyList<CoapOption> Options, byte[] Payload)
{
    public const int MaxTokenLength = 8;

    public bool IsEmpty => Code == CoapCode.Empty;

    public bool IsRequest => Code.Class == 0 && !IsEmpty;

    /// <summary>The values of one option, in order (Uri-Path segments, Uri-Query parts).</summary>
    public IEnumerable<CoapOption> All(ushort number) => Options.Where(o => o.Number == number);

    public CoapOption? First(ushort number) => Options.FirstOrDefault(o => o.Number == number) is { Value: not null } option ? option : null;
}
