using System.Net.Sockets;
using System.Text;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Embever.Actors.Device.Link;

/// <summary>
/// DTLS 1.2 with a pre-shared key over a <see cref="UdpChannel"/>, as a device makes it: identity
/// the device id, key its password, CoAP's suites, and (unless switched off) a Connection ID asked
/// of the gateway, so that after <see cref="Rebind"/> the session goes on without a handshake.
/// </summary>
public sealed class DtlsChannel : IDatagramChannel
{
    private readonly UdpChannel udp;
    private readonly DtlsTransport transport;

    public DtlsChannel(UdpChannel udp, string deviceId, string password, bool connectionId = true, TimeSpan? handshakeTimeout = null)
    {
        this.udp = udp;
        var client = new DevicePskClient(new BcTlsCrypto(new SecureRandom()), deviceId, password, connectionId, (int)(handshakeTimeout ?? TimeSpan.FromSeconds(15)).TotalMilliseconds);
        transport = new DtlsClientProtocol().Connect(client, new Records(udp));
        UsesConnectionId = client.UsesConnectionId;
        HandshakeBytes = udp.Wire.Total;
    }

    /// <summary>Whether the gateway gave a Connection ID.</summary>
    public bool UsesConnectionId { get; }

    /// <summary>Bytes the handshake took, both ways.</summary>
    public long HandshakeBytes { get; }

    public WireCounter Wire => udp.Wire;

    /// <summary>The UDP channel under the records.</summary>
    public UdpChannel Udp => udp;

    public void Send(ReadOnlySpan<byte> datagram) => transport.Send(datagram);

    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var length = transport.Receive(buffer, Math.Max(1, (int)(deadline - DateTime.UtcNow).TotalMilliseconds));
            if (length >= 0)
            {
                return length;
            }
        }

        return -1;
    }

    public void Rebind() => udp.Rebind();

    public void Dispose()
    {
        try
        {
            transport.Close();
        }
        catch (Exception exception) when (exception is TlsException or IOException or SocketException)
        {
            // The gateway may be gone already.
        }

        udp.Dispose();
    }

    /// <summary>BouncyCastle's view of the UDP channel.</summary>
    private sealed class Records(UdpChannel udp) : DatagramTransport
    {
        public int GetReceiveLimit() => 16 * 1024 + 512;

        public int GetSendLimit() => 1400;

        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis) => udp.Receive(buffer, TimeSpan.FromMilliseconds(waitMillis == 0 ? int.MaxValue : waitMillis));

        public void Send(byte[] buf, int off, int len) => udp.Send(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer) => udp.Send(buffer);

        public void Close()
        {
        }
    }

    private sealed class DevicePskClient(TlsCrypto crypto, string deviceId, string password, bool connectionId, int handshakeTimeoutMillis)
        : PskTlsClient(crypto, Encoding.UTF8.GetBytes(deviceId), Encoding.UTF8.GetBytes(password))
    {
        public bool UsesConnectionId { get; private set; }

        public override int GetHandshakeTimeoutMillis() => handshakeTimeoutMillis;

        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            UsesConnectionId = m_context.SecurityParameters is { ConnectionIDPeer.Length: > 0 } or { ConnectionIDLocal.Length: > 0 };
        }

        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

        protected override int[] GetSupportedCipherSuites() =>
            TlsUtilities.GetSupportedCipherSuites(Crypto, [CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256]);

        /// <summary>An empty Connection ID of its own: the device asks for the gateway's and needs none in what it receives.</summary>
        protected override byte[]? GetNewConnectionID() => connectionId ? [] : null;
    }
}
