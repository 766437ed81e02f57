using System.Net;

namespace Embever.Actors.Webhooks;

/// <summary>What an address is, for where a webhook may go.</summary>
public enum AddressKind
{
    /// <summary>Routed on the internet: webhooks may go there.</summary>
    Public,

    /// <summary>This host: loopback, or one of its own interface addresses.</summary>
    Loopback,

    /// <summary>Private, shared (CGN), link-local (cloud metadata), unique-local, and the special-purpose blocks (documentation, benchmarking, transition, protocol assignments).</summary>
    Internal,

    /// <summary>Can never be connected to: unspecified, "this network", multicast, reserved, broadcast.</summary>
    Unusable,
}

/// <summary>
/// The IANA special-purpose address registries (IPv4 and IPv6) as data, with what each block
/// means for a webhook target. Every address not in a block is public. An IPv4-mapped IPv6
/// address is judged as its IPv4 address; NAT64, 6to4 and IPv4-compatible addresses, which can
/// embed any IPv4 address (a private one too), count as internal.
/// </summary>
public static class AddressRanges
{
    private static readonly (IPNetwork Network, AddressKind Kind)[] Blocks =
    [
        (IPNetwork.Parse("0.0.0.0/8"), AddressKind.Unusable),
        (IPNetwork.Parse("10.0.0.0/8"), AddressKind.Internal),
        (IPNetwork.Parse("100.64.0.0/10"), AddressKind.Internal),
        (IPNetwork.Parse("127.0.0.0/8"), AddressKind.Loopback),
        (IPNetwork.Parse("169.254.0.0/16"), AddressKind.Internal),
        (IPNetwork.Parse("172.16.0.0/12"), AddressKind.Internal),
        (IPNetwork.Parse("192.0.0.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("192.0.2.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("192.31.196.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("192.52.193.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("192.88.99.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("192.168.0.0/16"), AddressKind.Internal),
        (IPNetwork.Parse("192.175.48.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("198.18.0.0/15"), AddressKind.Internal),
        (IPNetwork.Parse("198.51.100.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("203.0.113.0/24"), AddressKind.Internal),
        (IPNetwork.Parse("224.0.0.0/4"), AddressKind.Unusable),
        (IPNetwork.Parse("240.0.0.0/4"), AddressKind.Unusable),
        (IPNetwork.Parse("::/128"), AddressKind.Unusable),
        (IPNetwork.Parse("::1/128"), AddressKind.Loopback),
        (IPNetwork.Parse("::/96"), AddressKind.Internal),
        (IPNetwork.Parse("64:ff9b::/96"), AddressKind.Internal),
        (IPNetwork.Parse("64:ff9b:1::/48"), AddressKind.Internal),
        (IPNetwork.Parse("100::/64"), AddressKind.Internal),
        (IPNetwork.Parse("2001::/23"), AddressKind.Internal),
        (IPNetwork.Parse("2001:db8::/32"), AddressKind.Internal),
        (IPNetwork.Parse("2002::/16"), AddressKind.Internal),
        (IPNetwork.Parse("3fff::/20"), AddressKind.Internal),
        (IPNetwork.Parse("5f00::/16"), AddressKind.Internal),
        (IPNetwork.Parse("fc00::/7"), AddressKind.Internal),
        (IPNetwork.Parse("fe80::/10"), AddressKind.Internal),
        (IPNetwork.Parse("fec0::/10"), AddressKind.Internal),
        (IPNetwork.Parse("ff00::/8"), AddressKind.Unusable),
    ];

    /// <summary>
    /// The kind of an address. The first block that holds it decides (the registry's more
    /// specific blocks come before the ones that contain them); the host's own addresses are loopback.
    /// </summary>
    public static AddressKind KindOf(IPAddress address, IReadOnlySet<IPAddress>? ownAddresses = null)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var (network, kind) in Blocks)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return kind;
            }
        }

        return ownAddresses?.Contains(address) == true ? AddressKind.Loopback : AddressKind.Public;
    }
}
