using System.Buffers.Binary;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// CoAP's message format (RFC 7252 §3): a 4-byte header (version 1, type, token length, code,
/// message id), the token, options as deltas from the previous option's number with 4-bit
/// nibbles extended by one or two bytes (13: +13, 14: +269), and the payload after a 0xFF
/// marker. Decoding is strict and never throws: a datagram that is not a well-formed message
/// gives the reason instead.
/// </summary>
public static class CoapCodec
{
    private const byte PayloadMarker = 0xFF;

    public static bool TryDecode(ReadOnlySpan<byte> datagram, out CoapMessage? message, out string? error)
    {
        message = null;
        if (datagram.Length < 4)
        {
            error = "shorter than a header";
            return false;
        }

        var version = datagram[0] >> 6;
        var type = (CoapType)((datagram[0] >> 4) & 0x3);
        var tokenLength = datagram[0] & 0xF;
        var code = new CoapCode(datagram[1]);
        var messageId = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..4]);
        if (version != 1)
        {
            error = $"version {version}, not 1";
            return false;
        }

        if (tokenLength > CoapMessage.MaxTokenLength)
        {
            error = $"token length {tokenLength} (at most 8)";
            return false;
        }

        if (datagram.Length < 4 + tokenLength)
        {
            error = "shorter than its token";
            return false;
        }

        var token = datagram.Slice(4, tokenLength).ToArray();
        var rest = datagram[(4 + tokenLength)..];
        if (code == CoapCode.Empty && (tokenLength > 0 || rest.Length > 0))
        {
            error = "an empty message with a token, options or payload";
            return false;
        }

        var options = new List<CoapOption>();
        var number = 0;
        while (rest.Length > 0 && rest[0] != PayloadMarker)
        {
            var head = rest[0];
            rest = rest[1..];
            if (!TryExtend(head >> 4, ref rest, out var delta) || !TryExtend(head & 0xF, ref rest, out var length))
            {
                error = "an option nibble of 15, or an extended option cut short";
                return false;
            }

            number += delta;
            if (number > ushort.MaxValue)
            {
                error = "an option number beyond 65535";
                return false;
            }

            if (rest.Length < length)
            {
                error = "an option value cut short";
                return false;
            }

            options.Add(new CoapOption((ushort)number, rest[..length].ToArray()));
            rest = rest[length..];
        }

        byte[] payload = [];
        if (rest.Length > 0)
        {
            // rest[0] is the marker: a marker with nothing after it is a format error (§3).
            if (rest.Length == 1)
            {
                error = "a payload marker with no payload";
                return false;
            }

            payload = rest[1..].ToArray();
        }

        message = new CoapMessage(type, code, messageId, token, options, payload);
        error = null;
        return true;
    }

    public static byte[] Encode(CoapMessage message)
    {
        if (message.Token.Length > CoapMessage.MaxTokenLength)
        {
            throw new ArgumentException("A token is at most 8 bytes.", nameof(message));
        }

        var buffer = new List<byte>(4 + message.Token.Length + 16 + message.Payload.Length)
        {
            (byte)((1 << 6) | ((int)message.Type << 4) | message.Token.Length),
            message.Code.Value,
            (byte)(message.MessageId >> 8),
            (byte)message.MessageId,
        };
        buffer.AddRange(message.Token);
        var previous = 0;
        foreach (var option in message.Options.OrderBy(o => o.Number))
        {
            var delta = option.Number - previous;
            previous = option.Number;
            var headAt = buffer.Count;
            buffer.Add(0);
            var deltaNibble = Extend(delta, buffer);
            var lengthNibble = Extend(option.Value.Length, buffer);
            buffer[headAt] = (byte)((deltaNibble << 4) | lengthNibble);
            buffer.AddRange(option.Value);
        }

        if (message.Payload.Length > 0)
        {
            buffer.Add(PayloadMarker);
            buffer.AddRange(message.Payload);
        }

        return [.. buffer];
    }

    /// <summary>Reads the extension of an option nibble: 13 adds one byte (+13), 14 two (+269), 15 is reserved.</summary>
    private static bool TryExtend(int nibble, ref ReadOnlySpan<byte> rest, out int value)
    {
        switch (nibble)
        {
            case < 13:
                value = nibble;
                return true;
            case 13 when rest.Length >= 1:
                value = rest[0] + 13;
                rest = rest[1..];
                return true;
            case 14 when rest.Length >= 2:
                value = BinaryPrimitives.ReadUInt16BigEndian(rest) + 269;
                rest = rest[2..];
                return true;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>Writes the extension bytes of a delta or length and returns its nibble.</summary>
    private static int Extend(int value, List<byte> buffer)
    {
        switch (value)
        {
            case < 13:
                return value;
            case < 269:
                buffer.Add((byte)(value - 13));
                return 13;
            default:
                buffer.Add((byte)((value - 269) >> 8));
                buffer.Add((byte)(value - 269));
                return 14;
        }
    }
}
