using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// Failed credential checks, charged to the address they came from and to its network (/24 for
/// IPv4, /64 for IPv6), never to the device they named: whoever knows a device's id cannot use
/// up that device's budget by guessing its password. A source past its budget is throttled (429)
/// until the budget refills, whatever id it names, so the answer says nothing of which ids exist.
/// Token buckets that refill their whole capacity over <see cref="GatewayOptions.FailedAttemptsWindow"/>;
/// the table is bounded (<see cref="MaxTracked"/>): past it, buckets that have refilled go first,
/// then all of them (a flood from that many addresses is not held back by a table anyway).
/// </summary>
public sealed class FailedAttempts(GatewayOptions options, TimeProvider time)
{
    /// <summary>About 150 bytes a bucket: some 15 MB at the bound.</summary>
    public const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="source"/> may try credentials; otherwise how long it should wait.</summary>
    public TimeSpan? Throttled(IPAddress? source)
    {
        var (address, network) = Keys(source);
        var now = time.GetTimestamp();
        var wait = Max(Wait(address, now), Wait(network, now));
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>A failed check from <paramref name="source"/>: one attempt off its budget and its network's.</summary>
    public void Charge(IPAddress? source)
    {
        var (address, network) = Keys(source);
        var now = time.GetTimestamp();
        Take(address, options.FailedAttemptsPerAddress, now);
        Take(network, options.FailedAttemptsPerNetwork, now);
    }

    /// <summary>The source's own key and its network's.</summary>
    internal static (string Address, string Network) Keys(IPAddress? source)
    {
        if (source is null)
        {
            return ("unknown", "unknown/0");
        }

        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }

        var bytes = source.GetAddressBytes();
        return source.AddressFamily == AddressFamily.InterNetwork
            ? (source.ToString(), $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24")
            : (source.ToString(), $"{Convert.ToHexString(bytes, 0, 8)}/64");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private TimeSpan Wait(string key, long now)
    {
        if (!buckets.TryGetValue(key, out var bucket))
        {
            return TimeSpan.Zero;
        }

        lock (bucket)
        {
            var tokens = bucket.Refill(options.FailedAttemptsWindow, time.GetElapsedTime(bucket.Stamp, now), now);
            return tokens >= 1 ? TimeSpan.Zero : options.FailedAttemptsWindow * ((1 - tokens) / bucket.Capacity);
        }
    }

    private void Take(string key, int capacity, long now)
    {
        if (!buckets.TryGetValue(key, out var bucket))
        {
            if (buckets.Count >= MaxTracked)
            {
                Trim(now);
            }

            bucket = new Bucket(Math.Max(1, capacity), now);
            if (buckets.TryAdd(key, bucket))
            {
                PlatformMetrics.GatewayFailingSources.Add(1);
            }
            else
            {
                bucket = buckets[key];
            }
        }

        lock (bucket)
        {
            bucket.Tokens = Math.Max(0, bucket.Refill(options.FailedAttemptsWindow, time.GetElapsedTime(bucket.Stamp, now), now) - 1);
        }
    }

    private void Trim(long now)
    {
        foreach (var (key, bucket) in buckets)
        {
            bool full;
            lock (bucket)
            {
                full = bucket.Refill(options.FailedAttemptsWindow, time.GetElapsedTime(bucket.Stamp, now), now) >= bucket.Capacity;
            }

            if (full && buckets.TryRemove(key, out _))
            {
                PlatformMetrics.GatewayFailingSources.Add(-1);
            }
        }

        if (buckets.Count >= MaxTracked)
        {
            PlatformMetrics.GatewayFailingSources.Add(-buckets.Count);
            buckets.Clear();
        }
    }

    private sealed class Bucket(int capacity, long stamp)
    {
        public int Capacity { get; } = capacity;

        public double Tokens { get; set; } = capacity;

        public long Stamp { get; private set; } = stamp;

        /// <summary>The tokens now: the bucket refills its whole capacity over one window.</summary>
        public double Refill(TimeSpan window, TimeSpan elapsed, long now)
        {
            if (elapsed > TimeSpan.Zero)
            {
                Tokens = Math.Min(Capacity, Tokens + (Capacity * elapsed.TotalMilliseconds / Math.Max(1, window.TotalMilliseconds)));
                Stamp = now;
            }

            return Tokens;
        }
    }
}
