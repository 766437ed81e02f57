using System.Net;
using System.Net.Sockets;

namespace Embever.Actors.Api.Coap;

/// <summary>A UDP socket for CoAP, bound at start so that a taken port fails the start with its name, and its receive loop.</summary>
public static class CoapSocket
{
    /// <summary>
    /// Hands every datagram (a copy) and its sender to <paramref name="received"/> until stopped or
    /// the socket is closed; a receive error (an ICMP report of an earlier send) does not end it.
    /// </summary>
    public static async Task ReceiveAsync(Socket socket, Action<byte[], EndPoint> received, CancellationToken stoppingToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024, pinned: true);
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stoppingToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            received(buffer.AsSpan(0, result.ReceivedBytes).ToArray(), result.RemoteEndPoint);
        }
    }

    public static Socket Bind(string address, int port)
    {
        var ip = IPAddress.Parse(address);
        var socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = true;
        }

        // Wake storms arrive as bursts of datagrams: a few MB of receive buffer keeps them until read.
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.Bind(new IPEndPoint(ip, port));
        return socket;
    }
}
