using System.Net.Sockets;
using System.Text;

namespace Embever.Actors.Device.Link;

/// <summary>
/// DTLS over a <see cref="UdpChannel"/> with a session the device keeps across its sleep in a file
/// (<c>--session FILE</c>, the device's RAM): the first wake shakes hands
/// (<see cref="DtlsClientHandshake"/>) and saves the session; later wakes load it and go on
/// without a handshake, from whatever address, by the gateway's Connection ID. The session is
/// saved after every record sent, so a number once used is never used again.
/// </summary>
public sealed class DtlsSessionChannel : IDatagramChannel
{
    private readonly UdpChannel udp;
    private readonly DtlsClientSession session;
    private readonly string file;

    private DtlsSessionChannel(UdpChannel udp, DtlsClientSession session, string file, bool handshook, long handshakeBytes)
    {
        this.udp = udp;
        this.session = session;
        this.file = file;
        Handshook = handshook;
        HandshakeBytes = handshakeBytes;
    }

    /// <summary>Whether this wake needed a handshake (no session kept, or the gateway no longer knew it).</summary>
    public bool Handshook { get; }

    public long HandshakeBytes { get; }

    public WireCounter Wire => udp.Wire;

    public static DtlsSessionChannel Open(UdpChannel udp, System.Net.IPEndPoint gateway, string deviceId, string password, bool connectionId, string file)
    {
        if (DtlsClientSession.Load(file) is { } kept)
        {
            return new DtlsSessionChannel(udp, kept, file, handshook: false, 0);
        }

        using var socket = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(gateway);
        // The handshake goes over a socket of its own; its bytes are the device's all the same.
        var made = DtlsClientHandshake.ConnectAsync(socket, deviceId, Encoding.UTF8.GetBytes(password), connectionId, TimeSpan.FromSeconds(30), wire: udp.Wire).GetAwaiter().GetResult();
        made.Save(file);
        return new DtlsSessionChannel(udp, made, file, handshook: true, udp.Wire.Total);
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        var record = session.Seal(datagram);
        session.Save(file);
        udp.Send(record);
    }

    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var raw = new byte[buffer.Length + 64];
        while (DateTime.UtcNow < deadline)
        {
            var length = udp.Receive(raw, deadline - DateTime.UtcNow);
            if (length < 0)
            {
                return -1;
            }

            if (session.Open(raw.AsSpan(0, length)) is { } plain)
            {
                session.Save(file);
                plain.CopyTo(buffer);
                return plain.Length;
            }
        }

        return -1;
    }

    public void Rebind() => udp.Rebind();

    public void Dispose() => udp.Dispose();
}
