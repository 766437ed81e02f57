using System.Net;
using System.Net.Sockets;

namespace Embever.Actors.Api.Coap;

/// <summary>A UDP socket for CoAP, bound at start so that a taken port fails the start with its name.</summary>
public static class CoapSocket
{
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
