using System.Net;
using System.Net.Sockets;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// A port another program holds ends the start with one line naming the port and the setting
/// that moves it, not with stack traces: every port the silo will open is tried before anything
/// starts, and Kestrel's failure to bind (a port taken in between) is recognised when it happens.
/// </summary>
public static class PortConflict
{
    /// <summary>The first of the silo's ports (HTTP, silo, gateway, CoAP) that is taken, described; null when all are free.</summary>
    public static string? Check(EmbeverOptions options, IConfiguration configuration)
    {
        var siloAddress = options.StoreKind == Storage.StoreKind.Sqlite ? IPAddress.Loopback : IPAddress.Any;
        var ports = new List<(IPAddress Address, int Port, string Setting)>
        {
            (siloAddress, options.SiloPort, "--Embever:SiloPort=<port>"),
            (siloAddress, options.GatewayPort, "--Embever:GatewayPort=<port>"),
        };
        if (options.HttpEnabled)
        {
            foreach (var url in (configuration["Urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parsed = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
                if (Uri.TryCreate(parsed, UriKind.Absolute, out var uri))
                {
                    var address = uri.IsLoopback && !IPAddress.TryParse(uri.Host, out _) ? IPAddress.Loopback : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : IPAddress.Any;
                    ports.Add((address, uri.Port, "--Urls=http://localhost:<port> (setting Urls)"));
                }
            }
        }

        if (options.HttpEnabled && UdpTaken(configuration) is { } udp)
        {
            return udp;
        }

        foreach (var (address, port, setting) in ports)
        {
            var listener = new TcpListener(address, port);
            try
            {
                listener.Start();
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return $"Cannot start: port {port} is already in use (another program, or another silo, holds it). Set another with {setting}.";
            }
            finally
            {
                listener.Stop();
            }
        }

        return null;
    }

    /// <summary>The CoAP gateway's UDP ports (docs/gateway-protocol.md), when switched on and not 0.</summary>
    private static string? UdpTaken(IConfiguration configuration)
    {
        var coap = configuration.GetSection("Embever:Coap").Get<Api.Coap.CoapOptions>() ?? new Api.Coap.CoapOptions();
        var ports = new List<(int Port, string Setting)>();
        if (coap.Secure && coap.SecurePort > 0)
        {
            ports.Add((coap.SecurePort, "--Embever:Coap:SecurePort=<port>"));
        }

        if (coap.Plain && coap.PlainPort > 0)
        {
            ports.Add((coap.PlainPort, "--Embever:Coap:PlainPort=<port>"));
        }

        foreach (var (port, setting) in ports)
        {
            try
            {
                using var socket = Api.Coap.CoapSocket.Bind(coap.Address, port);
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return $"Cannot start: UDP port {port} (CoAP) is already in use (another program, or another silo, holds it). Set another with {setting}.";
            }
        }

        return null;
    }

    /// <summary>Kestrel could not bind an HTTP address: the line to print, or null for any other failure.</summary>
    public static string? FromException(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                return $"Cannot start: {e.Message.TrimEnd('.')} (another program holds it). Set another with --Urls=http://localhost:<port> (setting Urls).";
            }
        }

        return null;
    }
}
