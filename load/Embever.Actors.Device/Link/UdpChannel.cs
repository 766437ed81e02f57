using System.Net;
using System.Net.Sockets;

namespace Embever.Actors.Device.Link;

/// <summary>A UDP socket connected to the gateway.</summary>
public sealed class UdpChannel(IPEndPoint gateway) : IDatagramChannel
{
    private Socket socket = Connect(gateway);

    public WireCounter Wire { get; } = new();

    public void Send(ReadOnlySpan<byte> datagram)
    {
        socket.Send(datagram);
        Wire.CountSent(datagram.Length);
    }

    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !socket.Poll(left, SelectMode.SelectRead))
            {
                return -1;
            }

            try
            {
                var length = socket.Receive(buffer);
                Wire.CountReceived(length);
                return length;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // An ICMP error from an earlier datagram: wait for the answer still.
            }
        }
    }

    public void Rebind()
    {
        var old = socket;
        socket = Connect(gateway);
        old.Dispose();
    }

    public void Dispose() => socket.Dispose();

    private static Socket Connect(IPEndPoint gateway)
    {
        var socket = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(gateway);
        return socket;
    }
}
