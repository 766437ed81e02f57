using System.Buffers.Binary;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// One DTLS record of a datagram (RFC 6347 §4.1): type, version, epoch, 48-bit sequence number,
/// length, fragment; a <c>tls12_cid</c> record (RFC 9146 §4) has the Connection ID before the
/// length. Ours are <see cref="ConnectionIdLength"/> bytes, so a record carries no CID length.
/// </summary>
public readonly ref struct DtlsRecord
{
    public const byte ChangeCipherSpecType = 20;
    public const byte AlertType = 21;
    public const byte HandshakeType = 22;
    public const byte ApplicationDataType = 23;
    public const byte ConnectionIdType = 25;

    public const ushort Version12 = 0xFEFD;
    public const ushort Version10 = 0xFEFF;

    /// <summary>Type, version, epoch, sequence number, length.</summary>
    public const int HeaderSize = 13;

    public const int ConnectionIdLength = 8;

    public const long MaxSequence = (1L << 48) - 1;

    private DtlsRecord(byte type, ushort version, ushort epoch, long sequence, ReadOnlySpan<byte> cid, ReadOnlySpan<byte> fragment)
    {
        Type = type;
        Version = version;
        Epoch = epoch;
        Sequence = sequence;
        ConnectionId = cid;
        Fragment = fragment;
    }

    public byte Type { get; }

    public ushort Version { get; }

    public ushort Epoch { get; }

    public long Sequence { get; }

    public ReadOnlySpan<byte> ConnectionId { get; }

    public ReadOnlySpan<byte> Fragment { get; }

    /// <summary>The first record of <paramref name="datagram"/> and what follows it; false when none is well formed.</summary>
    public static bool TryRead(ref ReadOnlySpan<byte> datagram, out DtlsRecord record)
    {
        record = default;
        if (datagram.Length < HeaderSize)
        {
            return false;
        }

        var type = datagram[0];
        var cid = type == ConnectionIdType ? ConnectionIdLength : 0;
        if (datagram.Length < HeaderSize + cid)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[(11 + cid)..]);
        if (datagram.Length < HeaderSize + cid + length)
        {
            return false;
        }

        record = new DtlsRecord(
            type,
            BinaryPrimitives.ReadUInt16BigEndian(datagram[1..]),
            BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]),
            (long)(BinaryPrimitives.ReadUInt64BigEndian(datagram[3..]) & MaxSequence),
            datagram.Slice(11, cid),
            datagram.Slice(HeaderSize + cid, length));
        datagram = datagram[(HeaderSize + cid + length)..];
        return true;
    }

    /// <summary>The Connection ID of a datagram's first record, read without parsing further; 0 when it has none.</summary>
    public static ulong ConnectionIdOf(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderSize + ConnectionIdLength && datagram[0] == ConnectionIdType ? BinaryPrimitives.ReadUInt64BigEndian(datagram[11..]) : 0;

    public static ulong Combine(ushort epoch, long sequence) => ((ulong)epoch << 48) | ((ulong)sequence & MaxSequence);

    public static void WriteHeader(Span<byte> record, byte type, ushort epoch, long sequence, ReadOnlySpan<byte> cid, ushort length, ushort version = Version12)
    {
        record[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(record[1..], version);
        BinaryPrimitives.WriteUInt64BigEndian(record[3..], Combine(epoch, sequence));
        cid.CopyTo(record[11..]);
        BinaryPrimitives.WriteUInt16BigEndian(record[(11 + cid.Length)..], length);
    }

    /// <summary>A plaintext record (epoch 0: the handshake before ChangeCipherSpec, alerts before keys).</summary>
    public static byte[] Plain(byte type, long sequence, ReadOnlySpan<byte> fragment, ushort version = Version12)
    {
        var record = new byte[HeaderSize + fragment.Length];
        WriteHeader(record, type, 0, sequence, [], (ushort)fragment.Length, version);
        fragment.CopyTo(record.AsSpan(HeaderSize));
        return record;
    }
}
