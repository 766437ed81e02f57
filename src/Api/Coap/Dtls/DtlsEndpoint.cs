using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Embever.Actors.Devices;
using Embever.Actors.Storage;
using Embever.Actors.Telemetry;
using Microsoft.Extensions.Hosting;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// CoAP over DTLS 1.2 on one UDP socket (<c>coaps://</c>, port 5684), with no thread per peer.
/// Each datagram goes to an established session by its Connection ID (so a device whose NAT
/// binding changed goes on without a handshake), to a handshake under way by its address, or,
/// for a session this silo does not hold, to the store, which any silo (or this one after a
/// restart) continues it from. A ClientHello without a valid cookie is answered statelessly
/// with a HelloVerifyRequest (RFC 6347 §4.2.1) and costs nothing; one with a cookie, within its
/// address's rate, becomes a <see cref="DtlsHandshake"/> in the bounded
/// <see cref="HalfOpenHandshakes"/>, driven by the records that arrive; its key is looked up
/// asynchronously in batches (<see cref="PskLookup"/>). A completed handshake's session is
/// written to the store before the server's Finished leaves.
/// </summary>
public sealed partial class DtlsEndpoint(
    CoapOptions options,
    CoapMessageLayer layer,
    PskLookup keys,
    DtlsSessionStore store,
    PlatformKeys platformKeys,
    TimeProvider time,
    ILogger<DtlsEndpoint> logger) : BackgroundService
{
    /// <summary>Sessions being taken from the store at once; datagrams for more are dropped (the device sends again).</summary>
    private const int MaxLoads = 256;

    /// <summary>Connection IDs the store did not have, remembered so that junk costs one lookup each; cleared when full.</summary>
    private const int RememberedMisses = 100_000;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FirstRetransmission = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<ulong, DtlsSession> sessions = new();
    private readonly ConcurrentDictionary<IPEndPoint, DtlsSession> withoutConnectionId = new();
    private readonly ConcurrentDictionary<ulong, byte> loading = new();
    private readonly ConcurrentDictionary<ulong, byte> missing = new();
    private readonly HalfOpenHandshakes halfOpen = new(options);
    private readonly PartitionedRateLimiter<IPAddress> handshakeRate = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.HandshakesPerAddressPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    private HelloCookie? cookie;
    private Socket? socket;
    private CancellationToken stopping;

    /// <summary>The UDP port it listens on (the configured one, or the one taken for 0).</summary>
    public int Port { get; private set; }

    /// <summary>Sessions held in this silo's memory.</summary>
    public int Sessions => sessions.Count;

    public int HalfOpen => halfOpen.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        socket = CoapSocket.Bind(options.Address, options.SecurePort);
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // No close_notify: the sessions are in the store, and the devices go on with them on the next silo.
        socket?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        handshakeRate.Dispose();
        socket?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken;
        _ = TimersAsync(stoppingToken);
        await CoapSocket.ReceiveAsync(socket!, (datagram, from) =>
        {
            try
            {
                Route(datagram, (IPEndPoint)from);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Nothing a datagram holds may stop the loop.
                LogDatagramFailed(exception, from.ToString()!);
            }
        }, stoppingToken);
    }

    private long Now => time.GetTimestamp();

    private void Route(byte[] datagram, IPEndPoint from)
    {
        var connectionId = DtlsRecord.ConnectionIdOf(datagram);
        if (connectionId != 0)
        {
            if (sessions.TryGetValue(connectionId, out var session))
            {
                SessionDatagram(session, datagram, from);
            }
            else if (halfOpen.TryGet(from, out var finishing) && finishing.ConnectionId == connectionId)
            {
                HandshakeDatagram(finishing, datagram, from);
            }
            else
            {
                _ = ContinueAsync(connectionId, datagram, from);
            }

            return;
        }

        if (halfOpen.TryGet(from, out var handshake))
        {
            HandshakeDatagram(handshake, datagram, from);
        }
        else if (IsClientHello(datagram))
        {
            Hello(datagram, from);
        }
        else if (withoutConnectionId.TryGetValue(from, out var session))
        {
            SessionDatagram(session, datagram, from);
        }
    }

    /// <summary>A handshake record of epoch 0 holding a ClientHello (message type 1).</summary>
    private static bool IsClientHello(byte[] datagram) =>
        datagram.Length > DtlsRecord.HeaderSize && datagram[0] == DtlsRecord.HandshakeType && datagram[3] == 0 && datagram[4] == 0
        && datagram[DtlsRecord.HeaderSize] == HandshakeMessage.ClientHelloType;

    private void Hello(byte[] datagram, IPEndPoint from)
    {
        ReadOnlySpan<byte> span = datagram;
        if (!DtlsRecord.TryRead(ref span, out var record))
        {
            return;
        }

        var fragment = record.Fragment;
        if (!HandshakeMessage.TryRead(ref fragment, out var message) || ClientHello.Parse(message.Body) is not { } hello)
        {
            return;
        }

        cookie ??= platformKeys.IsLoaded ? new HelloCookie(platformKeys.DtlsCookieKey, time) : null;
        if (cookie is null)
        {
            // Still starting: the device sends its hello again.
            return;
        }

        if (!cookie.Verify(from, hello.CookieInput, hello.Cookie))
        {
            // Keeps nothing: the cookie comes back only from a device that receives at its address.
            var made = cookie.Make(from, hello.CookieInput);
            var body = new byte[3 + made.Length];
            body[0] = 0xFE;
            body[1] = 0xFF;
            body[2] = (byte)made.Length;
            made.CopyTo(body, 3);
            Send(DtlsRecord.Plain(DtlsRecord.HandshakeType, record.Sequence, HandshakeMessage.Write(HandshakeMessage.HelloVerifyRequestType, message.Sequence, body), DtlsRecord.Version10), from);
            return;
        }

        if (hello.Suite is null)
        {
            Send(DtlsRecord.Plain(DtlsRecord.AlertType, record.Sequence, [2, 40]), from);
            CountHandshake("failed");
            return;
        }

        // Only a ClientHello that returned its cookie counts against its address: one with a
        // forged source cannot, so nobody spends a NAT's handshakes but the devices behind it.
        using (var lease = handshakeRate.AttemptAcquire(from.Address))
        {
            if (!lease.IsAcquired)
            {
                CountHandshake("limited");
                return;
            }
        }

        var handshake = DtlsHandshake.Begin(from, hello, message, record.Sequence, NewConnectionId(), Now);
        if (halfOpen.Add(handshake) is > 0 and var evicted)
        {
            CountHandshake("evicted", evicted);
        }

        Send(handshake.Flight(Now), from);
    }

    private void HandshakeDatagram(DtlsHandshake handshake, byte[] datagram, IPEndPoint from)
    {
        HandshakeEvent next;
        lock (handshake)
        {
            next = handshake.Receive(datagram, Now);
        }

        switch (next)
        {
            case HandshakeEvent.Resend:
                Send(handshake.Flight(Now), from);
                break;
            case HandshakeEvent.NewHello:
                // The device started over (it rebooted, or gave up on this one).
                halfOpen.Remove(handshake);
                Hello(datagram, from);
                break;
            case HandshakeEvent.LookUp:
                _ = LookUpAsync(handshake);
                break;
            case HandshakeEvent.Finish:
                _ = FinishAsync(handshake);
                break;
            case HandshakeEvent.Abandoned:
                halfOpen.Remove(handshake);
                CountHandshake("failed");
                break;
        }
    }

    private async Task LookUpAsync(DtlsHandshake handshake)
    {
        byte[]? key;
        try
        {
            key = await keys.FindAsync(handshake.Identity!);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            halfOpen.Remove(handshake);
            CountHandshake("failed");
            LogHandshakeFailed(handshake.Peer.ToString(), exception.Message);
            return;
        }

        HandshakeEvent next;
        lock (handshake)
        {
            next = handshake.KeyFound(key);
        }

        if (next == HandshakeEvent.Finish)
        {
            await FinishAsync(handshake);
        }
    }

    private async Task FinishAsync(DtlsHandshake handshake)
    {
        SessionKeys? sessionKeys;
        lock (handshake)
        {
            if (handshake.Step != HandshakeStep.Keyed)
            {
                return;
            }

            sessionKeys = handshake.Finish();
        }

        if (sessionKeys is null)
        {
            // A wrong key and an unknown identity look the same to the device: decrypt_error.
            // Counted first: whoever watches the metric sees it by the time the device does.
            CountHandshake(handshake.UnknownIdentity ? "unknown_identity" : "wrong_key");
            halfOpen.Remove(handshake);
            Send(handshake.PlainRecord(DtlsRecord.AlertType, [2, 51]), handshake.Peer);
            LogHandshakeFailed(handshake.Peer.ToString(), handshake.UnknownIdentity ? "unknown identity" : "wrong key");
            return;
        }

        var session = DtlsSession.Established(handshake, sessionKeys, handshake.Password!, handshake.NextPlainSequence, Now);
        try
        {
            // In the store before the first record at one of its sequence numbers leaves.
            await store.SaveAsync(session.ToRow(time.GetUtcNow().UtcDateTime));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            halfOpen.Remove(handshake);
            CountHandshake("failed");
            LogHandshakeFailed(handshake.Peer.ToString(), exception.Message);
            return;
        }

        Hold(session);
        halfOpen.Remove(handshake);
        halfOpen.Completed(handshake.Peer.Address);
        CountHandshake("completed");
        if (await session.FinalFlightAsync(store, time) is { } flight)
        {
            Send(flight, session.Remote);
        }

        LogHandshake(session.DeviceId, session.Remote.ToString(), session.UsesConnectionId);
    }

    private void SessionDatagram(DtlsSession session, byte[] datagram, IPEndPoint from)
    {
        ReadOnlySpan<byte> span = datagram;
        while (DtlsRecord.TryRead(ref span, out var record))
        {
            if (record.Epoch == 0)
            {
                // The device's final flight again (its ClientKeyExchange first): it lacks the server's Finished.
                if (record.Type == DtlsRecord.HandshakeType && record.Fragment.Length > 0 && record.Fragment[0] == HandshakeMessage.ClientKeyExchangeType)
                {
                    _ = ResendFinalFlightAsync(session);
                }

                continue;
            }

            if (session.Open(record, from, Now) is not { } opened)
            {
                continue;
            }

            var plaintext = opened.Plaintext;
            switch (opened.Type)
            {
                case DtlsRecord.ApplicationDataType:
                    _ = ExchangeAsync(session, opened);
                    break;
                case DtlsRecord.HandshakeType:
                    _ = ResendFinalFlightAsync(session);
                    break;
                case DtlsRecord.AlertType when plaintext.Length == 2 && (plaintext[0] == 2 || plaintext[1] == 0):
                    // A fatal alert or close_notify: the device ended the session.
                    Forget(session);
                    _ = DeleteAsync(session);
                    break;
            }
        }
    }

    private async Task ExchangeAsync(DtlsSession session, OpenedRecord request)
    {
        try
        {
            if (request.Elsewhere && !await session.CatchUpAsync(request.Sequence, store, time))
            {
                // Another holder accepted this record: a replay.
                return;
            }

            session.Mark(store, time);
            if (await layer.HandleAsync(request.Plaintext, session.Id, session.Remote.Address, session.Credentials, stopping) is { } answer)
            {
                Send(await session.SealAsync(DtlsRecord.ApplicationDataType, answer, store, time), session.Remote);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Stopping, or the store would not reserve sequence numbers: no answer; the device asks again.
            LogExchangeFailed(session.DeviceId, exception.Message);
        }
    }

    private async Task ResendFinalFlightAsync(DtlsSession session)
    {
        try
        {
            if (await session.FinalFlightAsync(store, time) is { } flight)
            {
                Send(flight, session.Remote);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogExchangeFailed(session.DeviceId, exception.Message);
        }
    }

    /// <summary>
    /// A record for a session this silo does not hold: it is found in the store, the record must
    /// authenticate under it and be newer than the store's mark, and only then is a block of
    /// write sequence numbers reserved for this silo and the session held here.
    /// </summary>
    private async Task ContinueAsync(ulong connectionId, byte[] datagram, IPEndPoint from)
    {
        if (missing.ContainsKey(connectionId) || loading.Count >= MaxLoads || !loading.TryAdd(connectionId, 0))
        {
            return;
        }

        try
        {
            if (await store.FindAsync((long)connectionId) is not { } row)
            {
                if (missing.Count >= RememberedMisses)
                {
                    missing.Clear();
                }

                missing.TryAdd(connectionId, 0);
                return;
            }

            if (!Authenticates(row, datagram))
            {
                return;
            }

            var reserved = await store.ReserveAsync(row.ConnectionId, DtlsSession.SequenceBlock, time.GetUtcNow().UtcDateTime);
            var password = reserved is null ? null : await keys.FindAsync(row.DeviceId);
            if (password is null || reserved is not var (limit, _))
            {
                // Gone meanwhile, or its device was deleted.
                _ = store.DeleteAsync(row.ConnectionId);
                return;
            }

            var session = DtlsSession.Continued(row, System.Text.Encoding.UTF8.GetString(password), limit, from, Now);
            Hold(session);
            CountHandshake("continued");
            SessionDatagram(sessions.GetValueOrDefault(connectionId) ?? session, datagram, from);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogExchangeFailed(connectionId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), exception.Message);
        }
        finally
        {
            loading.TryRemove(connectionId, out _);
        }
    }

    private static bool Authenticates(DtlsSessionRow row, byte[] datagram)
    {
        ReadOnlySpan<byte> span = datagram;
        return DtlsRecord.TryRead(ref span, out var record)
            && record.Epoch == 1
            && record.Sequence > row.ReadHigh
            && RecordProtection.Open((DtlsSuite)row.Suite, SessionKeys.ClientKeyOf(row.Keys), SessionKeys.ClientIvOf(row.Keys), record) is not null;
    }

    private void Hold(DtlsSession session)
    {
        if (sessions.TryAdd(session.ConnectionId, session))
        {
            PlatformMetrics.DtlsSessions.Add(1);
        }

        if (!session.UsesConnectionId && withoutConnectionId.TryGetValue(session.Remote, out var earlier) && earlier != session)
        {
            // Nothing can reach the earlier session of this address any more: only its row stays (until idle).
            Forget(earlier);
        }

        if (!session.UsesConnectionId)
        {
            withoutConnectionId[session.Remote] = session;
        }
    }

    private void Forget(DtlsSession session)
    {
        if (sessions.TryRemove(new KeyValuePair<ulong, DtlsSession>(session.ConnectionId, session)))
        {
            PlatformMetrics.DtlsSessions.Add(-1);
        }

        withoutConnectionId.TryRemove(new KeyValuePair<IPEndPoint, DtlsSession>(session.Remote, session));
    }

    private async Task DeleteAsync(DtlsSession session)
    {
        try
        {
            await store.DeleteAsync((long)session.ConnectionId);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Deleted when idle instead.
            LogExchangeFailed(session.DeviceId, exception.Message);
        }
    }

    private ulong NewConnectionId()
    {
        while (true)
        {
            var id = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(DtlsRecord.ConnectionIdLength));
            if (id != 0 && !sessions.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private void Send(byte[] datagram, IPEndPoint to)
    {
        try
        {
            socket?.SendTo(datagram, SocketFlags.None, to);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // UDP: a lost datagram is the device's to send again.
        }
    }

    private async Task TimersAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        var ticks = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Retransmit();
                if (++ticks % 240 == 0)
                {
                    await SweepSessionsAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Sends flights again on their doubling timers (RFC 6347 §4.2.4) and drops handshakes gone silent.</summary>
    private void Retransmit()
    {
        foreach (var handshake in halfOpen.Snapshot())
        {
            var silent = time.GetElapsedTime(handshake.LastHeard);
            if (time.GetElapsedTime(handshake.Started) > options.HandshakeTimeout || (handshake.Step == HandshakeStep.AwaitingKeyExchange && silent > options.HalfOpenTimeout))
            {
                halfOpen.Remove(handshake);
                CountHandshake("timed_out");
                continue;
            }

            if (handshake.Step == HandshakeStep.AwaitingKeyExchange && time.GetElapsedTime(handshake.LastSent) > FirstRetransmission * (1 << Math.Min(handshake.Retransmissions, 5)))
            {
                handshake.Retransmissions++;
                Send(handshake.Flight(Now), handshake.Peer);
            }
        }
    }

    /// <summary>Idle sessions leave memory and the store; past the bound, the longest idle leave memory (the store keeps them).</summary>
    private async Task SweepSessionsAsync()
    {
        var idleSince = Now - (long)(options.SessionIdleTimeout.TotalSeconds * time.TimestampFrequency);
        foreach (var session in sessions.Values)
        {
            if (session.LastActive < idleSince)
            {
                Forget(session);
            }
        }

        var excess = sessions.Count - options.MaxSessions;
        if (excess > 0)
        {
            var times = sessions.Values.Select(s => s.LastActive).ToArray();
            Array.Sort(times);
            var cutoff = times[Math.Min(times.Length - 1, Math.Max(excess, options.MaxSessions / 100))];
            foreach (var session in sessions.Values)
            {
                if (session.LastActive <= cutoff)
                {
                    Forget(session);
                }
            }
        }

        try
        {
            await store.DeleteIdleAsync(time.GetUtcNow().UtcDateTime - options.SessionIdleTimeout);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogExchangeFailed("(idle sessions)", exception.Message);
        }
    }

    private static void CountHandshake(string outcome, int count = 1) =>
        PlatformMetrics.DtlsHandshakes.Add(count, new KeyValuePair<string, object?>("outcome", outcome));

    [LoggerMessage(Level = LogLevel.Debug, Message = "DTLS session for device {Device} from {Remote} (Connection ID: {UsesConnectionId}).")]
    private partial void LogHandshake(string device, string remote, bool usesConnectionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DTLS handshake from {Remote} failed: {Reason}")]
    private partial void LogHandshakeFailed(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A DTLS exchange of {Device} got no answer: {Reason}")]
    private partial void LogExchangeFailed(string device, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A datagram from {Remote} could not be handled.")]
    private partial void LogDatagramFailed(Exception exception, string remote);
}
