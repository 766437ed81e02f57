using System.Buffers.Binary;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// One handshake message of a record (RFC 6347 §4.2.2): type, length, message_seq, fragment
/// offset and length, body. Only whole messages are taken: what a PSK device sends (a ClientHello
/// of some hundred bytes, a ClientKeyExchange, a Finished) always fits one record.
/// </summary>
public readonly ref struct HandshakeMessage
{
    public const byte ClientHelloType = 1;
    public const byte ServerHelloType = 2;
    public const byte HelloVerifyRequestType = 3;
    public const byte ServerHelloDoneType = 14;
    public const byte ClientKeyExchangeType = 16;
    public const byte FinishedType = 20;

    public const int HeaderSize = 12;

    private HandshakeMessage(byte type, ushort sequence, ReadOnlySpan<byte> whole)
    {
        Type = type;
        Sequence = sequence;
        Whole = whole;
    }

    public byte Type { get; }

    public ushort Sequence { get; }

    /// <summary>Header and body, as the handshake hash takes them.</summary>
    public ReadOnlySpan<byte> Whole { get; }

    public ReadOnlySpan<byte> Body => Whole[HeaderSize..];

    /// <summary>The next whole message of a handshake record's fragment; false at its end or on a fragment of a message.</summary>
    public static bool TryRead(ref ReadOnlySpan<byte> fragment, out HandshakeMessage message)
    {
        message = default;
        if (fragment.Length < HeaderSize)
        {
            return false;
        }

        var length = ReadUInt24(fragment[1..]);
        var offset = ReadUInt24(fragment[6..]);
        var fragmentLength = ReadUInt24(fragment[9..]);
        if (offset != 0 || fragmentLength != length || fragment.Length < HeaderSize + length)
        {
            return false;
        }

        message = new HandshakeMessage(fragment[0], BinaryPrimitives.ReadUInt16BigEndian(fragment[4..]), fragment[..(HeaderSize + length)]);
        fragment = fragment[(HeaderSize + length)..];
        return true;
    }

    /// <summary>A whole message with its DTLS header.</summary>
    public static byte[] Write(byte type, ushort sequence, ReadOnlySpan<byte> body)
    {
        var message = new byte[HeaderSize + body.Length];
        message[0] = type;
        WriteUInt24(message.AsSpan(1), body.Length);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), sequence);
        WriteUInt24(message.AsSpan(6), 0);
        WriteUInt24(message.AsSpan(9), body.Length);
        body.CopyTo(message.AsSpan(HeaderSize));
        return message;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];

    private static void WriteUInt24(Span<byte> bytes, int value)
    {
        bytes[0] = (byte)(value >> 16);
        bytes[1] = (byte)(value >> 8);
        bytes[2] = (byte)value;
    }
}
