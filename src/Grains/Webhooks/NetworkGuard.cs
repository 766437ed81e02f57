using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Embever.Actors.Webhooks;

/// <summary>
/// Keeps webhooks from reaching into the platform's own network (SSRF). The check is on the
/// addresses a target's name resolves to, right before connecting, so a name that resolves to an
/// internal address is refused as well. Public addresses are always allowed; this host (loopback
/// and its own addresses) only with <see cref="WebhookOptions.AllowLoopback"/>; internal ranges
/// (<see cref="AddressRanges"/>) only with <see cref="WebhookOptions.AllowPrivateNetworks"/>;
/// addresses that can never be connected to never — and such a refusal is final, not retried.
/// </summary>
public static class NetworkGuard
{
    private static readonly TimeSpan OwnAddressesAge = TimeSpan.FromMinutes(1);
    private static (DateTime At, IReadOnlySet<IPAddress> Addresses) own = (DateTime.MinValue, new HashSet<IPAddress>());

    public static bool IsPublic(IPAddress address) => AddressRanges.KindOf(address) == AddressKind.Public;

    public static bool MayConnect(AddressKind kind, WebhookOptions options) => kind switch
    {
        AddressKind.Public => true,
        AddressKind.Loopback => options.AllowLoopback || options.AllowPrivateNetworks,
        AddressKind.Internal => options.AllowPrivateNetworks,
        _ => false,
    };

    /// <summary>The host's own interface addresses, refreshed every minute.</summary>
    public static IReadOnlySet<IPAddress> OwnAddresses()
    {
        var (at, addresses) = own;
        if (DateTime.UtcNow - at < OwnAddressesAge)
        {
            return addresses;
        }

        try
        {
            addresses = NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            // Keep the last known set.
        }

        own = (DateTime.UtcNow, addresses);
        return addresses;
    }

    /// <summary>A connect callback that resolves the host and connects only to allowed addresses.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(WebhookOptions options) =>
        async (context, cancellationToken) =>
        {
            // An address literal is judged as it is (DNS refuses to "resolve" 0.0.0.0 or ::, which must fail for good, not be retried).
            var addresses = IPAddress.TryParse(context.DnsEndPoint.Host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var ownAddresses = OwnAddresses();
            var allowed = addresses.Where(a => MayConnect(AddressRanges.KindOf(a, ownAddresses), options)).ToArray();
            if (allowed.Length == 0)
            {
                throw new WebhookTargetRefusedException(
                    $"'{context.DnsEndPoint.Host}' resolves only to addresses webhooks may not reach (this host, private, link-local or reserved networks): " +
                    string.Join(", ", addresses.Select(a => $"{a} is {AddressRanges.KindOf(a, ownAddresses).ToString().ToLowerInvariant()}")) + ".");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}

/// <summary>The target is not allowed: retrying cannot help.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
