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
    /// <summary>The first of the silo's ports (HTTP, silo, gateway) that is taken, described; null when all are free.</summary>
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
