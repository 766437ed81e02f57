using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// Exchange answers larger than one block (RFC 7959 §2.4: Block2 on the response to a POST): the
/// first block answers the exchange, and the whole answer is kept here, by peer, for the
/// lifetime of an exchange (247 s), so that the device fetches the rest with Block2 requests
/// that are served from it and never apply the exchange again. One answer per peer (a device
/// waits for its answer before its next exchange); bounded in bytes: past the bound the oldest
/// go, and a device asking for a block of one gone is told to exchange again.
/// </summary>
public sealed class ExchangeBlocks(TimeProvider time)
{
    /// <summary>An answer this size or smaller goes whole, without Block2 (unless the device asked for smaller blocks).</summary>
    public const int DefaultBlock = 1024;

    /// <summary>What kept answers may hold together: a wake storm of devices with large actions stays within it.</summary>
    private const long MaxBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Kept> byPeer = new();
    private long bytes;

    /// <summary>Keeps <paramref name="answer"/> for <paramref name="peer"/>; returns the ETag its blocks carry.</summary>
    public byte[] Keep(string peer, byte[] answer, uint format)
    {
        var kept = new Kept(RandomNumberGenerator.GetBytes(4), answer, format, time.GetTimestamp());
        if (byPeer.TryGetValue(peer, out var earlier) && byPeer.TryUpdate(peer, kept, earlier))
        {
            Interlocked.Add(ref bytes, answer.Length - earlier.Answer.Length);
        }
        else if (byPeer.TryAdd(peer, kept))
        {
            Interlocked.Add(ref bytes, answer.Length);
        }

        if (Interlocked.Read(ref bytes) > MaxBytes)
        {
            Trim();
        }

        return kept.ETag;
    }

    /// <summary>The kept answer of a peer (its ETag, its content format), or null when none is kept for it any more.</summary>
    public (byte[] ETag, byte[] Answer, uint Format)? Find(string peer) =>
        byPeer.TryGetValue(peer, out var kept) && time.GetElapsedTime(kept.At) < RecentMessages.ExchangeLifetime
            ? (kept.ETag, kept.Answer, kept.Format)
            : null;

    private void Trim()
    {
        foreach (var (peer, kept) in byPeer.OrderBy(p => p.Value.At).ToList())
        {
            if (Interlocked.Read(ref bytes) <= MaxBytes / 2 && time.GetElapsedTime(kept.At) < RecentMessages.ExchangeLifetime)
            {
                return;
            }

            if (byPeer.TryRemove(new KeyValuePair<string, Kept>(peer, kept)))
            {
                Interlocked.Add(ref bytes, -kept.Answer.Length);
            }
        }
    }

    private sealed record Kept(byte[] ETag, byte[] Answer, uint Format, long At);
}
