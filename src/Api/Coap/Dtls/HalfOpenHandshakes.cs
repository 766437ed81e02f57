using System.Net;
using System.Net.Sockets;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// The handshakes under way, bounded so that nobody can hoard them: at most
/// <see cref="CoapOptions.HalfOpenPerAddress"/> per source address and
/// <see cref="CoapOptions.HalfOpenPerPrefix"/> per /24 (IPv4) or /64 (IPv6), a newcomer past
/// either taking the place of that address's (or prefix's) oldest; when the table is full the
/// oldest goes, not the newcomer. Addresses that completed a handshake recently keep a quarter of
/// the table: strangers are evicted first and hold at most three quarters. Thread-safe (one lock:
/// every operation is a few dictionary steps).
/// </summary>
public sealed class HalfOpenHandshakes(CoapOptions options)
{
    /// <summary>Addresses remembered as having completed a handshake; cleared when full.</summary>
    private const int RememberedAddresses = 100_000;

    private readonly Dictionary<IPEndPoint, Entry> byPeer = [];
    private readonly Dictionary<IPAddress, List<Entry>> byAddress = [];
    private readonly Dictionary<UInt128, List<Entry>> byPrefix = [];
    private readonly LinkedList<Entry> strangers = new();
    private readonly LinkedList<Entry> known = new();
    private readonly HashSet<IPAddress> completedRecently = [];
    private readonly object gate = new();

    public int Count
    {
        get
        {
            lock (gate)
            {
                return byPeer.Count;
            }
        }
    }

    private int Capacity => Math.Max(1, options.MaxHalfOpenHandshakes);

    public bool TryGet(IPEndPoint peer, out DtlsHandshake handshake)
    {
        lock (gate)
        {
            var found = byPeer.TryGetValue(peer, out var entry);
            handshake = entry?.Handshake!;
            return found;
        }
    }

    /// <summary>Adds a handshake, replacing one of the same peer; returns how many were evicted to make room.</summary>
    public int Add(DtlsHandshake handshake)
    {
        lock (gate)
        {
            var evicted = 0;
            if (byPeer.TryGetValue(handshake.Peer, out var same))
            {
                RemoveEntry(same);
            }

            var address = Normalize(handshake.Peer.Address);
            var prefix = Prefix(address);
            evicted += MakeRoom(byAddress, address, Math.Max(1, options.HalfOpenPerAddress));
            evicted += MakeRoom(byPrefix, prefix, Math.Max(1, options.HalfOpenPerPrefix));

            var trusted = completedRecently.Contains(address);
            if (!trusted && strangers.Count >= Capacity - Capacity / 4 && strangers.First is { } oldestStranger)
            {
                RemoveEntry(oldestStranger.Value);
                evicted++;
            }

            if (byPeer.Count >= Capacity && (strangers.First ?? known.First) is { } oldest)
            {
                RemoveEntry(oldest.Value);
                evicted++;
            }

            var entry = new Entry(handshake, address, prefix);
            entry.Node = (trusted ? known : strangers).AddLast(entry);
            byPeer[handshake.Peer] = entry;
            Index(byAddress, address, entry);
            Index(byPrefix, prefix, entry);
            return evicted;
        }
    }

    /// <summary>Removes a handshake if it is still the one held for its peer.</summary>
    public void Remove(DtlsHandshake handshake)
    {
        lock (gate)
        {
            if (byPeer.TryGetValue(handshake.Peer, out var entry) && entry.Handshake == handshake)
            {
                RemoveEntry(entry);
            }
        }
    }

    /// <summary>Remembers that an address completed a handshake: its next ones are evicted last.</summary>
    public void Completed(IPAddress address)
    {
        lock (gate)
        {
            if (completedRecently.Count >= RememberedAddresses)
            {
                completedRecently.Clear();
            }

            completedRecently.Add(Normalize(address));
        }
    }

    /// <summary>A snapshot, for the timer that retransmits and times out.</summary>
    public List<DtlsHandshake> Snapshot()
    {
        lock (gate)
        {
            return [.. byPeer.Values.Select(e => e.Handshake)];
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The /24 of an IPv4 address, the /64 of an IPv6 one.</summary>
    private static UInt128 Prefix(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ((UInt128)1 << 64) | (uint)((bytes[0] << 16) | (bytes[1] << 8) | bytes[2]);
        }

        return (UInt128)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[..Math.Min(8, written)]);
    }

    private int MakeRoom<TKey>(Dictionary<TKey, List<Entry>> index, TKey key, int limit)
        where TKey : notnull
    {
        var evicted = 0;
        while (index.TryGetValue(key, out var entries) && entries.Count >= limit)
        {
            RemoveEntry(entries[0]);
            evicted++;
        }

        return evicted;
    }

    private static void Index<TKey>(Dictionary<TKey, List<Entry>> index, TKey key, Entry entry)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var entries))
        {
            index[key] = entries = [];
        }

        entries.Add(entry);
    }

    private static void Unindex<TKey>(Dictionary<TKey, List<Entry>> index, TKey key, Entry entry)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var entries))
        {
            entries.Remove(entry);
            if (entries.Count == 0)
            {
                index.Remove(key);
            }
        }
    }

    private void RemoveEntry(Entry entry)
    {
        byPeer.Remove(entry.Handshake.Peer);
        entry.Node?.List?.Remove(entry.Node);
        Unindex(byAddress, entry.Address, entry);
        Unindex(byPrefix, entry.Prefix, entry);
    }

    private sealed class Entry(DtlsHandshake handshake, IPAddress address, UInt128 prefix)
    {
        public DtlsHandshake Handshake => handshake;

        public IPAddress Address => address;

        public UInt128 Prefix => prefix;

        public LinkedListNode<Entry>? Node { get; set; }
    }
}
