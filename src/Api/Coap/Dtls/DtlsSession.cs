using System.Net;
using Embever.Actors.Api.Gateway;
using Embever.Actors.Devices;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// One device's established DTLS session, as small as the record layer allows (a few hundred
/// bytes): the device, the Connection ID, the four keys, the write sequence and the block of it
/// reserved in the store, the replay window, the last activity. Records are opened on the
/// receive loop and sealed by whoever answers; nothing here holds a thread or a cipher.
/// <para>
/// Nonces never repeat: a record is sent only at a sequence number below the limit the store
/// reserved for this holder (<see cref="DtlsSessionStore.ReserveAsync"/>), and a session taken
/// from the store starts at the block reserved for it. Records at or below the newest one the
/// store knows was accepted are refused after a move (<see cref="ReplayFloor"/>).
/// </para>
/// </summary>
public sealed class DtlsSession
{
    /// <summary>Sequence numbers reserved at a time; the next block is asked for when half is used.</summary>
    public const long SequenceBlock = 4096;

    private readonly byte[] keys;
    private readonly byte[]? clientConnectionId;
    private readonly DtlsSuite suite;
    private long writeSequence;
    private long writeLimit;
    private Task<long>? reserving;
    private long readHigh;
    private ulong readWindow;
    private long markedHigh;
    private int marking;
    private long lastActive;
    private byte[]? serverFinished;
    private long plainSequence;

    /// <summary>Just taken from the store with a fresh block: the first record needs no catching up.</summary>
    private bool caughtUp;

    private DtlsSession(ulong connectionId, string deviceId, string password, DtlsSuite suite, byte[] keys, byte[]? clientConnectionId, bool usesConnectionId, IPEndPoint remote, long now)
    {
        ConnectionId = connectionId;
        DeviceId = deviceId;
        Password = password;
        this.suite = suite;
        this.keys = keys;
        this.clientConnectionId = clientConnectionId;
        UsesConnectionId = usesConnectionId;
        Remote = remote;
        lastActive = now;
    }

    public ulong ConnectionId { get; }

    public string DeviceId { get; }

    public string Password { get; }

    /// <summary>Whether the device's records carry the Connection ID (then they find the session from any address).</summary>
    public bool UsesConnectionId { get; }

    /// <summary>Where answers go: the address the newest authenticated record came from (RFC 9146 §6).</summary>
    public IPEndPoint Remote { get; private set; }

    public DeviceCredentials Credentials => new(DeviceId, Password);

    /// <summary>Names the session for the CoAP layer's duplicate detection: it outlives the device's address.</summary>
    public string Id => ConnectionId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public long LastActive => Interlocked.Read(ref lastActive);

    /// <summary>The newest record sequence number accepted.</summary>
    public long ReplayFloor => Interlocked.Read(ref readHigh);

    /// <summary>The session a completed handshake made; its row is saved before its first record is sent.</summary>
    public static DtlsSession Established(DtlsHandshake handshake, SessionKeys sessionKeys, string password, long plainSequence, long now) =>
        new(handshake.ConnectionId, handshake.Identity!, password, handshake.Suite, sessionKeys.Block, handshake.ClientConnectionId, handshake.UsesConnectionId, handshake.Peer, now)
        {
            writeLimit = SequenceBlock,
            readHigh = sessionKeys.ClientFinishedSequence,
            readWindow = 1,
            markedHigh = sessionKeys.ClientFinishedSequence,
            serverFinished = sessionKeys.ServerFinished,
            plainSequence = plainSequence,
        };

    /// <summary>A session taken from the store, with the block of sequence numbers just reserved for it (<paramref name="limit"/>).</summary>
    public static DtlsSession Continued(DtlsSessionRow row, string password, long limit, IPEndPoint remote, long now) =>
        new((ulong)row.ConnectionId, row.DeviceId, password, (DtlsSuite)row.Suite, row.Keys, row.ClientConnectionId, usesConnectionId: true, remote, now)
        {
            writeSequence = limit - SequenceBlock,
            writeLimit = limit,
            readHigh = row.ReadHigh,

            // All at or below the stored mark counts as seen: the old holder may have accepted any of them.
            readWindow = ulong.MaxValue,
            markedHigh = row.ReadHigh,
            caughtUp = true,
        };

    /// <summary>The row the store keeps for a new session.</summary>
    public DtlsSessionRow ToRow(DateTime now) =>
        new((long)ConnectionId, DeviceId, (int)suite, keys, clientConnectionId, writeLimit, readHigh, now);

    /// <summary>
    /// Opens a record of epoch 1: its type and plaintext, or null for a replay or a record that
    /// does not authenticate. <c>Elsewhere</c> says the device may have talked to another holder
    /// since (its numbers skipped some, or it came from a new address): before answering, this
    /// holder must catch up with the store (<see cref="CatchUpAsync"/>), or its answer would carry a
    /// number the device's replay window has passed, and a replay of what the other holder
    /// accepted would pass here.
    /// </summary>
    public OpenedRecord? Open(in DtlsRecord record, IPEndPoint from, long now)
    {
        if (record.Epoch != 1)
        {
            return null;
        }

        lock (keys)
        {
            if (!Fresh(record.Sequence))
            {
                return null;
            }
        }

        if (RecordProtection.Open(suite, SessionKeys.ClientKeyOf(keys), SessionKeys.ClientIvOf(keys), record) is not var (type, plaintext))
        {
            return null;
        }

        bool elsewhere;
        lock (keys)
        {
            if (!Fresh(record.Sequence))
            {
                return null;
            }

            var newest = record.Sequence > readHigh;
            elsewhere = !caughtUp && (record.Sequence > readHigh + 1 || !from.Equals(Remote));
            caughtUp = false;
            Accept(record.Sequence);
            if (newest && !from.Equals(Remote) && !record.ConnectionId.IsEmpty)
            {
                Remote = from;
            }
        }

        Interlocked.Exchange(ref lastActive, now);
        if (type == DtlsRecord.ApplicationDataType)
        {
            // The device received the server's Finished: it need not be kept for a retransmission.
            serverFinished = null;
        }

        return new OpenedRecord(type, plaintext, record.Sequence, elsewhere);
    }

    /// <summary>
    /// Takes a fresh block of sequence numbers (above any other holder's) and learns the newest
    /// record the store knows was accepted; false when <paramref name="sequence"/> is not above it
    /// (another holder accepted that record: a replay).
    /// </summary>
    public async Task<bool> CatchUpAsync(long sequence, DtlsSessionStore store, TimeProvider time)
    {
        var storedHigh = await ReserveAsync(store, time);
        return sequence > storedHigh || sequence <= Interlocked.Read(ref markedHigh);
    }

    /// <summary>Seals <paramref name="plaintext"/> at the next sequence number, reserving a block in the store first when this holder's is used up.</summary>
    public async ValueTask<byte[]> SealAsync(byte type, ReadOnlyMemory<byte> plaintext, DtlsSessionStore store, TimeProvider time)
    {
        while (true)
        {
            var sequence = Interlocked.Increment(ref writeSequence) - 1;
            var limit = Interlocked.Read(ref writeLimit);
            if (sequence < limit)
            {
                if (limit - sequence == SequenceBlock / 2)
                {
                    _ = ReserveAsync(store, time);
                }

                return RecordProtection.Seal(suite, SessionKeys.ServerKeyOf(keys), SessionKeys.ServerIvOf(keys), type, 1, sequence, ConnectionIdOut, plaintext.Span);
            }

            await ReserveAsync(store, time);
        }
    }

    /// <summary>The server's ChangeCipherSpec and Finished again, while the device may not have them (its Finished came again).</summary>
    public async ValueTask<byte[]?> FinalFlightAsync(DtlsSessionStore store, TimeProvider time)
    {
        if (serverFinished is not { } finished)
        {
            return null;
        }

        var changeCipherSpec = DtlsRecord.Plain(DtlsRecord.ChangeCipherSpecType, Interlocked.Increment(ref plainSequence) - 1, [1]);
        return [.. changeCipherSpec, .. await SealAsync(DtlsRecord.HandshakeType, finished, store, time)];
    }

    /// <summary>Records the newest accepted record in the store, one write at a time per session, the newest mark winning.</summary>
    public void Mark(DtlsSessionStore store, TimeProvider time)
    {
        if (Interlocked.Read(ref readHigh) > Interlocked.Read(ref markedHigh) && Interlocked.CompareExchange(ref marking, 1, 0) == 0)
        {
            _ = MarkAsync(store, time);
        }
    }

    private async Task MarkAsync(DtlsSessionStore store, TimeProvider time)
    {
        try
        {
            while (Interlocked.Read(ref readHigh) is var high && high > Interlocked.Read(ref markedHigh))
            {
                await store.MarkAsync((long)ConnectionId, high, time.GetUtcNow().UtcDateTime);
                Interlocked.Exchange(ref markedHigh, high);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The store refused: the next accepted record marks again.
        }
        finally
        {
            Volatile.Write(ref marking, 0);
        }
    }

    private ReadOnlySpan<byte> ConnectionIdOut => clientConnectionId;

    private Task<long> ReserveAsync(DtlsSessionStore store, TimeProvider time)
    {
        lock (keys)
        {
            return reserving ??= ReserveCoreAsync(store, time);
        }
    }

    /// <summary>Reserves the next block; returns the newest record the store knows was accepted.</summary>
    private async Task<long> ReserveCoreAsync(DtlsSessionStore store, TimeProvider time)
    {
        // Never complete (or fail) inside ReserveAsync's lock: the finally below must run after
        // the task is kept there, or a finished task would stay kept and no block be reserved again.
        await Task.Yield();
        try
        {
            var (limit, storedHigh) = await store.ReserveAsync((long)ConnectionId, SequenceBlock, time.GetUtcNow().UtcDateTime)
                ?? throw new InvalidOperationException($"The DTLS session {Id} is no longer stored.");

            // Another holder may have reserved meanwhile: this one's block is the last SequenceBlock below the limit.
            var start = limit - SequenceBlock;
            long current;
            while ((current = Interlocked.Read(ref writeSequence)) < start && Interlocked.CompareExchange(ref writeSequence, start, current) != current)
            {
                // Raced with a sender taking a number (one that waits for this block): read again.
            }

            Interlocked.Exchange(ref writeLimit, limit);
            return storedHigh;
        }
        finally
        {
            lock (keys)
            {
                reserving = null;
            }
        }
    }

    private bool Fresh(long sequence)
    {
        if (sequence > readHigh)
        {
            return true;
        }

        var behind = readHigh - sequence;
        return behind < 64 && (readWindow & (1UL << (int)behind)) == 0;
    }

    private void Accept(long sequence)
    {
        if (sequence > readHigh)
        {
            var ahead = sequence - readHigh;
            readWindow = ahead >= 64 ? 1 : (readWindow << (int)ahead) | 1;
            readHigh = sequence;
        }
        else
        {
            readWindow |= 1UL << (int)(readHigh - sequence);
        }
    }
}

/// <summary>An opened record: its real type, its plaintext, its number, and whether the device may have talked to another holder since the last.</summary>
public readonly record struct OpenedRecord(byte Type, byte[] Plaintext, long Sequence, bool Elsewhere);
