using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// TLS 1.2's pseudo-random function (RFC 5246 §5): P_SHA256(secret, label + seed), the one PRF
/// of both cipher suites offered, used for the master secret, the key block and Finished.
/// </summary>
public static class DtlsPrf
{
    private const int HashSize = 32;

    public static byte[] Derive(ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed, int length)
    {
        var labelled = new byte[label.Length + seed.Length];
        Encoding.ASCII.GetBytes(label, labelled);
        seed.CopyTo(labelled.AsSpan(label.Length));

        var hmac = new HMac(new Sha256Digest());
        hmac.Init(new KeyParameter(secret));
        var output = new byte[length];
        Span<byte> a = stackalloc byte[HashSize];
        Span<byte> block = stackalloc byte[HashSize];

        // A(1) = HMAC(secret, seed); each block is HMAC(secret, A(i) + seed), A(i+1) = HMAC(secret, A(i)).
        hmac.BlockUpdate(labelled);
        hmac.DoFinal(a);
        for (var written = 0; written < length; written += HashSize)
        {
            hmac.BlockUpdate(a);
            hmac.BlockUpdate(labelled);
            hmac.DoFinal(block);
            block[..Math.Min(HashSize, length - written)].CopyTo(output.AsSpan(written));
            hmac.BlockUpdate(a);
            hmac.DoFinal(a);
        }

        return output;
    }
}
