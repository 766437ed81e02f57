namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// The two cipher suites offered (RFC 7925's profile for constrained devices): CoAP's mandatory
/// <c>TLS_PSK_WITH_AES_128_CCM_8</c> (RFC 6655) and <c>TLS_PSK_WITH_AES_128_GCM_SHA256</c>
/// (RFC 5487). Both are AEAD with a 16-byte key, a 4-byte implicit IV and an 8-byte explicit nonce
/// in each record; they differ in the tag.
/// </summary>
public enum DtlsSuite : ushort
{
    PskAes128Ccm8 = 0xC0A8,
    PskAes128GcmSha256 = 0x00A8,
}

public static class DtlsSuites
{
    public const int KeySize = 16;
    public const int ImplicitIvSize = 4;
    public const int ExplicitNonceSize = 8;

    /// <summary>In the server's order of preference.</summary>
    public static readonly DtlsSuite[] Offered = [DtlsSuite.PskAes128Ccm8, DtlsSuite.PskAes128GcmSha256];

    public static int TagSize(this DtlsSuite suite) => suite == DtlsSuite.PskAes128Ccm8 ? 8 : 16;

    /// <summary>What a record adds to its plaintext: the explicit nonce and the tag.</summary>
    public static int Expansion(this DtlsSuite suite) => ExplicitNonceSize + suite.TagSize();
}
