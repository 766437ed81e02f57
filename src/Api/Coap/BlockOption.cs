namespace Embever.Actors.Api.Coap;

/// <summary>
/// A Block1/Block2 option's value (RFC 7959 §2.2): the block number, whether more blocks follow,
/// and the size exponent (size = 2^(4+SZX), 16 to 1024 bytes; 7 is reserved).
/// </summary>
public readonly record struct BlockOption(uint Number, bool More, int SizeExponent)
{
    public const int LargestExponent = 6;

    public int Size => 1 << (SizeExponent + 4);

    public long Offset => (long)Number * Size;

    /// <summary>Null when the value is longer than three bytes or its SZX is the reserved 7.</summary>
    public static BlockOption? From(CoapOption option)
    {
        if (option.Value.Length > 3 || option.AsUint() is not { } value || (value & 0x7) == 7)
        {
            return null;
        }

        return new BlockOption(value >> 4, (value & 0x8) != 0, (int)(value & 0x7));
    }

    public CoapOption ToOption(ushort number) => CoapOption.Uint(number, (Number << 4) | (More ? 0x8u : 0) | (uint)SizeExponent);
}
