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

    /// <summary>DTLS sessions kept; beyond it the longest idle one goes.</summary>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>A session idle this long is forgotten: the device then shakes hands again. Sleepy devices wake every few hours.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(25);

    /// <summary>Handshakes worked on at once (each holds a thread until it ends); more ClientHellos are ignored and sent again by the device.</summary>
    public int MaxConcurrentHandshakes { get; set; } = 32;

    /// <summary>A handshake not done in this long is dropped (NB-IoT round trips take seconds).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Handshakes one IP address may start per minute (a NAT holds many devices; a flood holds one address).</summary>
    public int HandshakesPerAddressPerMinute { get; set; } = 60;

    /// <summary>Applied requests remembered for the exchange lifetime (247 s), to answer a retransmission without applying it again; beyond it 5.03.</summary>
    public int RecentMessages { get; set; } = 1_000_000;
}
