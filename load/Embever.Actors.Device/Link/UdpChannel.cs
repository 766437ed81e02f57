using System.Net;
using System.Net.Sockets;

namespace Embever.Actors.Device.Link;

/// <summary>A UDP socket connected to the gateway.</summary>
public sealed class UdpChannel(IPEndPoint gateway) : IDatagramChannel
{
    private Socket socket = Connect(gateway);

    public WireCounter Wire { get; } = new();

    /// <summary>Sees each datagram received (tests read the records' sequence numbers off the wire).</summary>
    public Action<byte[]>? Tap { get; set; }

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
                Tap?.Invoke(buffer[..length].ToArray());
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

    /// <summary>Sends to another gateway from a new port: a balancer without affinity, or a NAT's new binding, took the flow elsewhere.</summary>
    public void Retarget(IPEndPoint other)
    {
        gateway = other;
        Rebind();
    }

    public void Dispose() => socket.Dispose();

    private static Socket Connect(IPEndPoint gateway)
    {
        var socket = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(gateway);
        return socket;
    }
}
