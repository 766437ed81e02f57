using System.Text;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// The server side of one DTLS 1.2 handshake with a device (RFC 4279 PSK, RFC 7925 profile): the
/// PSK identity is the device id, the key its password (<see cref="DeviceKeys"/>); the suites are
/// CoAP's mandatory <c>TLS_PSK_WITH_AES_128_CCM_8</c> and <c>TLS_PSK_WITH_AES_128_GCM_SHA256</c>;
/// a client that offers Connection ID (RFC 9146) gets <see cref="ConnectionId"/>.
/// </summary>
public sealed class DevicePskServer(TlsCrypto crypto, DeviceKeys keys, int handshakeTimeoutMillis, byte[] connectionId)
    : PskTlsServer(crypto, keys)
{
    private static readonly int[] Suites = [CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256];

    public byte[] ConnectionId => connectionId;

    /// <summary>Whether the client took the Connection ID (records then carry it, wherever they come from).</summary>
    public bool UsesConnectionId { get; private set; }

    /// <summary>The device that completed the handshake.</summary>
    public string? DeviceId { get; private set; }

    public override int GetHandshakeTimeoutMillis() => handshakeTimeoutMillis;

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        var parameters = m_context.SecurityParameters;
        DeviceId = parameters.PskIdentity is { } identity ? Encoding.UTF8.GetString(identity) : null;
        UsesConnectionId = parameters is { ConnectionIDPeer.Length: > 0 } or { ConnectionIDLocal.Length: > 0 };
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, Suites);

    protected override byte[] GetNewConnectionID() => connectionId;
}
