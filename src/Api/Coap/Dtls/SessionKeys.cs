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

    public ReadOnlySpan<byte> ClientKey => block.AsSpan(0, DtlsSuites.KeySize);

    public ReadOnlySpan<byte> ServerKey => block.AsSpan(DtlsSuites.KeySize, DtlsSuites.KeySize);

    public ReadOnlySpan<byte> ClientIv => block.AsSpan(2 * DtlsSuites.KeySize, DtlsSuites.ImplicitIvSize);

    public ReadOnlySpan<byte> ServerIv => block.AsSpan(2 * DtlsSuites.KeySize + DtlsSuites.ImplicitIvSize, DtlsSuites.ImplicitIvSize);

    /// <summary>The server's Finished message (set when the handshake verified the client's).</summary>
    public byte[]? ServerFinished { get; set; }

    /// <summary>The record number of the client's Finished: the session's replay window starts there.</summary>
    public long ClientFinishedSequence { get; set; }

    public static SessionKeys FromKeyBlock(DtlsSuite suite, byte[] block) => new(suite, block[..Size]);
}
