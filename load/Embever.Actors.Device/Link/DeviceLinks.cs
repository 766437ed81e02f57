using System.Net;

namespace Embever.Actors.Device.Link;

/// <summary>Opens a device's link from the gateway's URL: <c>http(s)://host:port</c>, <c>coap://host:5683</c> or <c>coaps://host:5684</c>.</summary>
public static class DeviceLinks
{
    /// <summary><paramref name="sessionFile"/> (coaps): the DTLS session kept in this file across wakes, made when it is missing.</summary>
    public static IDeviceLink Open(Uri gateway, string deviceId, string password, bool cbor = false, bool connectionId = true, Action<string>? trace = null, string? sessionFile = null)
    {
        switch (gateway.Scheme)
        {
            case "http" or "https":
                return new HttpDeviceLink(gateway, deviceId, password);
            case "coap":
                return new CoapDeviceLink(new CoapLink(new UdpChannel(Resolve(gateway, 5683)), [$"d={deviceId}", $"p={password}"], trace), cbor);
            case "coaps" when sessionFile is not null:
                var endpoint = Resolve(gateway, 5684);
                var kept = DtlsSessionChannel.Open(new UdpChannel(endpoint), endpoint, deviceId, password, connectionId, sessionFile);
                trace?.Invoke(kept.Handshook
                    ? $"DTLS session: a handshake ({kept.HandshakeBytes} B), kept in {sessionFile}"
                    : $"DTLS session: the one kept in {sessionFile}, no handshake");
                return new CoapDeviceLink(new CoapLink(kept, [], trace), cbor);
            case "coaps":
                var dtls = new DtlsChannel(new UdpChannel(Resolve(gateway, 5684)), deviceId, password, connectionId);
                trace?.Invoke($"DTLS session: {dtls.HandshakeBytes} B of handshake, Connection ID {(dtls.UsesConnectionId ? "in use" : "not in use")}");
                return new CoapDeviceLink(new CoapLink(dtls, [], trace), cbor);
            default:
                throw new ArgumentException($"A gateway URL is http(s)://, coap:// or coaps://, not {gateway.Scheme}://.", nameof(gateway));
        }
    }

    private static IPEndPoint Resolve(Uri gateway, int defaultPort)
    {
        var address = IPAddress.TryParse(gateway.Host, out var ip) ? ip : Dns.GetHostAddresses(gateway.Host).First();
        return new IPEndPoint(address, gateway.IsDefaultPort || gateway.Port < 0 ? defaultPort : gateway.Port);
    }
}
