namespace Embever.Actors.Api.Coap;

/// <summary>One option of a CoAP message: its number and its value's bytes (RFC 7252 §3.1, §5.10).</summary>
public readonly record struct CoapOption(ushort Number, byte[] Value)
{
    public const ushort IfMatch = 1;
    public const ushort UriHost = 3;
    public const ushort ETag = 4;
    public const ushort UriPort = 7;
    public const ushort UriPath = 11;
    public const ushort ContentFormat = 12;
    public const ushort MaxAge = 14;
    public const ushort UriQuery = 15;
    public const ushort Accept = 17;
    public const ushort Block2 = 23;
    public const ushort Block1 = 27;
    public const ushort Size2 = 28;
    public const ushort Size1 = 60;

    /// <summary>An option whose value is text (Uri-Path, Uri-Query).</summary>
    public static CoapOption Text(ushort number, string value) => new(number, System.Text.Encoding.UTF8.GetBytes(value));

    /// <summary>An option whose value is an unsigned integer, in as few bytes as it takes (0 in none).</summary>
    public static CoapOption Uint(ushort number, uint value)
    {
        var length = value == 0 ? 0 : value <= 0xFF ? 1 : value <= 0xFFFF ? 2 : value <= 0xFFFFFF ? 3 : 4;
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[length - 1 - i] = (byte)(value >> (8 * i));
        }

        return new CoapOption(number, bytes);
    }

    public string AsText() => System.Text.Encoding.UTF8.GetString(Value);

    /// <summary>The value as an unsigned integer; null when it is longer than four bytes.</summary>
    public uint? AsUint()
    {
        if (Value.Length > 4)
        {
            return null;
        }

        uint number = 0;
        foreach (var b in Value)
        {
            number = (number << 8) | b;
        }

        return number;
    }

    /// <summary>Critical options (odd numbers) must be understood: an unknown one is a 4.02 (RFC 7252 §5.4.1).</summary>
    public bool IsCritical => (Number & 1) == 1;
}
