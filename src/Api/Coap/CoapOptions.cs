namespace Embever.Actors.Api.Coap;

/// <summary>The CoAP gateway's settings (section <c>Embever:Coap</c>; docs/gateway-protocol.md, docs/operations.md).</summary>
public sealed class CoapOptions
{
    /// <summary>CoAP over DTLS 1.2 with pre-shared keys (<c>coaps://</c>); on by default.</summary>
    public bool Secure { get; set; } = true;

    /// <summary>Its UDP port; 0 takes any free one (tests).</summary>
    public int SecurePort { get; set; } = 5684;

    /// <summary>CoAP without DTLS, credentials in Uri-Query (<c>?d=id&amp;p=password</c>): for development and tests only.</summary>
    public bool Plain { get; set; }

    /// <summary>Its UDP port; 0 takes any free one.</summary>
    public int PlainPort { get; set; } = 5683;

    /// <summary>The address both listen on.</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>DTLS sessions held in this silo's memory (a few hundred bytes each); beyond it the longest idle leave memory, not the store.</summary>
    public int MaxSessions { get; set; } = 1_000_000;

    /// <summary>A session idle this long is deleted: the device then shakes hands again. Sleepy devices wake every few hours.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(25);

    /// <summary>Handshakes under way at once (each holds under a kilobyte, no thread); when full, the oldest goes.</summary>
    public int MaxHalfOpenHandshakes { get; set; } = 4096;

    /// <summary>Handshakes under way from one source address; a newcomer past it takes the place of that address's oldest.</summary>
    public int HalfOpenPerAddress { get; set; } = 16;

    /// <summary>Handshakes under way from one /24 (IPv4) or /64 (IPv6).</summary>
    public int HalfOpenPerPrefix { get; set; } = 256;

    /// <summary>
    /// A handshake whose device has been silent this long after the server's flight is dropped: a
    /// device that sends its hello again starts it anew (its cookie is good for a minute or two).
    /// </summary>
    public TimeSpan HalfOpenTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A handshake not done in this long is dropped, however busy its device.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Handshakes one IP address may start per minute (a NAT holds many devices; a flood holds one address).</summary>
    public int HandshakesPerAddressPerMinute { get; set; } = 60;

    /// <summary>Applied requests remembered for the exchange lifetime (247 s), to answer a retransmission without applying it again; beyond it 5.03.</summary>
    public int RecentMessages { get; set; } = 1_000_000;
}
