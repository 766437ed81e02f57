using System.Net;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// The address an HTTP device request came from, which failed credentials are charged to
/// (<see cref="FailedAttempts"/>). Behind a proxy named in <see cref="GatewayOptions.TrustedProxies"/>
/// it is the rightmost address of <c>X-Forwarded-For</c> that is not itself such a proxy; from
/// anyone else the header is ignored, so a caller cannot name its own source.
/// </summary>
public sealed class DeviceSource(GatewayOptions options)
{
    private readonly IPNetwork[] proxies = [.. options.TrustedProxies.Select(IPNetwork.Parse)];

    public IPAddress? Of(HttpContext context)
    {
        var source = Normal(context.Connection.RemoteIpAddress);
        if (source is null || !IsProxy(source))
        {
            return source;
        }

        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = forwarded.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(forwarded[i], out var hop))
            {
                // A hop nobody can read: charge the proxy rather than trust what lies beyond it.
                return source;
            }

            source = Normal(hop)!;
            if (!IsProxy(source))
            {
                return source;
            }
        }

        return source;
    }

    private static IPAddress? Normal(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    private bool IsProxy(IPAddress address) => proxies.Any(network => network.Contains(address));
}
