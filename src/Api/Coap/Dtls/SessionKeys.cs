using System.Buffers.Binary;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// A session's record keys from the key block (RFC 5246 §6.3, AEAD: no MAC keys): the client's
/// write key, the server's, the client's IV, the server's, in one 40-byte array (the form the
/// store seals). The server reads with the client's and writes with its own.
/// </summary>
public sealed class SessionKeys(DtlsSuite suite, byte[] block)
{
    public const int Size = 2 * (DtlsSuites.KeySize + DtlsSuites.ImplicitIvSize);

    public DtlsSuite Suite => suite;

    /// <summary>All four, in key-block order.</summary>
    public byte[] Block => block;

    public ReadOnlySpan<byte> ClientKey => ClientKeyOf(block);

    public ReadOnlySpan<byte> ClientIv => ClientIvOf(block);

    /// <summary>The server's Finished message (set when the handshake verified the client's).</summary>
    public byte[]? ServerFinished { get; set; }

    /// <summary>The record number of the client's Finished: the session's replay window starts there.</summary>
    public long ClientFinishedSequence { get; set; }

    public static SessionKeys FromKeyBlock(DtlsSuite suite, byte[] block) => new(suite, block[..Size]);

    /// <summary>The keys of a PSK handshake (RFC 4279 §2: the premaster secret from the key alone; RFC 7627 when extended), and its master secret for the Finished messages.</summary>
    public static (SessionKeys Keys, byte[] Master) Derive(DtlsSuite suite, byte[] psk, bool extendedMasterSecret, byte[] sessionHash, byte[] clientRandom, byte[] serverRandom)
    {
        var premaster = new byte[4 + 2 * psk.Length];
        BinaryPrimitives.WriteUInt16BigEndian(premaster, (ushort)psk.Length);
        BinaryPrimitives.WriteUInt16BigEndian(premaster.AsSpan(2 + psk.Length), (ushort)psk.Length);
        psk.CopyTo(premaster.AsSpan(4 + psk.Length));
        var master = extendedMasterSecret
            ? DtlsPrf.Derive(premaster, "extended master secret", sessionHash, 48)
            : DtlsPrf.Derive(premaster, "master secret", [.. clientRandom, .. serverRandom], 48);
        return (new SessionKeys(suite, DtlsPrf.Derive(master, "key expansion", [.. serverRandom, .. clientRandom], Size)), master);
    }

    // The block's layout, for whoever keeps only the block (a held session, a stored row, a device).
    public static ReadOnlySpan<byte> ClientKeyOf(byte[] block) => block.AsSpan(0, DtlsSuites.KeySize);

    public static ReadOnlySpan<byte> ServerKeyOf(byte[] block) => block.AsSpan(DtlsSuites.KeySize, DtlsSuites.KeySize);

    public static ReadOnlySpan<byte> ClientIvOf(byte[] block) => block.AsSpan(2 * DtlsSuites.KeySize, DtlsSuites.ImplicitIvSize);

    public static ReadOnlySpan<byte> ServerIvOf(byte[] block) => block.AsSpan(2 * DtlsSuites.KeySize + DtlsSuites.ImplicitIvSize, DtlsSuites.ImplicitIvSize);
}
