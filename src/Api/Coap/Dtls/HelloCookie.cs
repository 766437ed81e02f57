using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// The stateless cookie of the HelloVerifyRequest (RFC 6347 §4.2.1): an HMAC over the client's
/// address and port, its hello (without the cookie) and a minute's window, so the server keeps
/// nothing until a client proves it receives at its address, and a cookie is good for one to two
/// minutes. The key is the cluster's (a platform key), so any silo takes a cookie another made.
/// </summary>
public sealed class HelloCookie(byte[] key, TimeProvider time)
{
    public const int Size = 16;

    public byte[] Make(IPEndPoint from, ReadOnlySpan<byte> helloWithoutCookie) => Compute(from, helloWithoutCookie, Window(0));

    public bool Verify(IPEndPoint from, ReadOnlySpan<byte> helloWithoutCookie, ReadOnlySpan<byte> cookie) =>
        cookie.Length == Size
        && (CryptographicOperations.FixedTimeEquals(cookie, Compute(from, helloWithoutCookie, Window(0)))
            || CryptographicOperations.FixedTimeEquals(cookie, Compute(from, helloWithoutCookie, Window(-1))));

    private long Window(int offset) => time.GetUtcNow().ToUnixTimeSeconds() / 60 + offset;

    private byte[] Compute(IPEndPoint from, ReadOnlySpan<byte> hello, long window)
    {
        var hmac = new HMac(new Sha256Digest());
        hmac.Init(new KeyParameter(key));
        Span<byte> prefix = stackalloc byte[8 + 16 + 2];
        BinaryPrimitives.WriteInt64BigEndian(prefix, window);
        from.Address.MapToIPv6().TryWriteBytes(prefix[8..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(prefix[24..], (ushort)from.Port);
        hmac.BlockUpdate(prefix);
        hmac.BlockUpdate(hello);
        Span<byte> mac = stackalloc byte[32];
        hmac.DoFinal(mac);
        return mac[..Size].ToArray();
    }
}
