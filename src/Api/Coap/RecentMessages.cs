using System.Collections.Concurrent;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// Requests seen in the last EXCHANGE_LIFETIME (247 s, RFC 7252 §4.8.2), by peer and message id,
/// with the answer each got: a retransmission gets the same answer and is never applied twice
/// (§4.5). A retransmission that arrives while its request is still being worked on is dropped;
/// the device sends it again and then finds the answer. Only applied requests (2.xx) stay; the
/// others are forgotten when answered. Bounded: when full, new requests are not taken (5.03)
/// rather than taken without protection; the default holds a wake storm of ~4,000 exchanges/s
/// for the whole lifetime (~300 MB at most).
/// </summary>
public sealed class RecentMessages(CoapOptions options, TimeProvider time)
{
    public static readonly TimeSpan ExchangeLifetime = TimeSpan.FromSeconds(247);

    private readonly ConcurrentDictionary<(string Peer, ushort MessageId), Entry> entries = new();
    private long nextSweep;

    public enum Seen
    {
        /// <summary>New: work on it, then <see cref="Answered"/>.</summary>
        New,

        /// <summary>A retransmission whose answer is in <c>answer</c>.</summary>
        Answered,

        /// <summary>A retransmission of a request still being worked on.</summary>
        InProgress,

        /// <summary>Too many remembered: do not take it.</summary>
        Full,
    }

    public int Count => entries.Count;

    public Seen Check(string peer, ushort messageId, out byte[]? answer)
    {
        answer = null;
        var now = time.GetUtcNow().UtcTicks;
        SweepIfDue(now);
        var key = (peer, messageId);
        if (entries.TryGetValue(key, out var known) && !known.ExpiredAt(now))
        {
            answer = known.Answer;
            return answer is null ? Seen.InProgress : Seen.Answered;
        }

        if (entries.Count >= options.RecentMessages)
        {
            return Seen.Full;
        }

        entries[key] = new Entry(now, null);
        return Seen.New;
    }

    public void Answered(string peer, ushort messageId, byte[] answer)
    {
        if (entries.TryGetValue((peer, messageId), out var entry))
        {
            entries[(peer, messageId)] = entry with { Answer = answer };
        }
    }

    /// <summary>A request that got no answer (its handler failed): a retransmission may try again.</summary>
    public void Forget(string peer, ushort messageId) => entries.TryRemove((peer, messageId), out _);

    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref nextSweep);
        if (now < due || Interlocked.CompareExchange(ref nextSweep, now + TimeSpan.TicksPerSecond * 5, due) != due)
        {
            return;
        }

        foreach (var (key, entry) in entries)
        {
            if (entry.ExpiredAt(now))
            {
                entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>A request seen at <paramref name="SeenAt"/> (UTC ticks) and its answer once there is one.</summary>
    private sealed record Entry(long SeenAt, byte[]? Answer)
    {
        public bool ExpiredAt(long now) => now - SeenAt > ExchangeLifetime.Ticks;
    }
}
