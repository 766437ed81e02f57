using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Embever.Actors.Api.Gateway;
using Embever.Actors.Devices;
using Embever.Actors.Telemetry;
using Microsoft.Extensions.Hosting;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// CoAP over DTLS 1.2 on one UDP socket (<c>coaps://</c>, port 5684). Each datagram goes to its
/// session: by Connection ID when it carries one (so a device whose NAT binding changed goes on
/// without a handshake), else by address. A ClientHello from an address with no session is
/// answered statelessly with a HelloVerifyRequest cookie (RFC 6347 §4.2.1) and costs nothing
/// until the device proves it receives at its address; then, within the per-address rate (which
/// only such proven ClientHellos count against) and the bound on concurrent handshakes, a session is made and its handshake runs on a thread of its
/// own (BouncyCastle's handshake blocks). Sessions idle past <see cref="CoapOptions.SessionIdleTimeout"/>,
/// or beyond <see cref="CoapOptions.MaxSessions"/>, are forgotten.
/// </summary>
public sealed partial class DtlsEndpoint(CoapOptions options, CoapMessageLayer layer, DeviceDirectory directory, TimeProvider time, ILogger<DtlsEndpoint> logger)
    : BackgroundService
{
    /// <summary>Connection IDs are 8 random bytes: records carry no length, so every one has the same.</summary>
    public const int ConnectionIdLength = 8;

    private const byte HandshakeRecord = 22;
    private const byte ConnectionIdRecord = 25;

    private readonly ConcurrentDictionary<EndPoint, DtlsSession> byAddress = new();
    private readonly ConcurrentDictionary<ulong, DtlsSession> byConnectionId = new();
    private readonly BcTlsCrypto crypto = new(new SecureRandom());
    private readonly DtlsServerProtocol protocol = new();
    private readonly PartitionedRateLimiter<IPAddress> handshakeRate = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.HandshakesPerAddressPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    private readonly SemaphoreSlim handshakes = new(Math.Max(1, options.MaxConcurrentHandshakes));
    private DtlsVerifier verifier = null!;
    private Socket? socket;
    private CancellationToken stopping;

    /// <summary>The UDP port it listens on (the configured one, or the one taken for 0).</summary>
    public int Port { get; private set; }

    public int Sessions => byConnectionId.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        verifier = new DtlsVerifier(crypto);
        socket = CoapSocket.Bind(options.Address, options.SecurePort);
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var session in byConnectionId.Values)
        {
            session.Shutdown();
        }

        socket?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        handshakeRate.Dispose();
        handshakes.Dispose();
        socket?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken;
        using var sweeper = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        _ = SweepAsync(sweeper, stoppingToken);
        await CoapSocket.ReceiveAsync(socket!, (datagram, from) =>
        {
            try
            {
                Route(datagram, from, stoppingToken);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Nothing a datagram holds may stop the loop.
                LogDatagramFailed(exception, from.ToString()!);
            }
        }, stoppingToken);
    }

    private void Route(byte[] datagram, EndPoint from, CancellationToken stoppingToken)
    {
        if (datagram.Length < 13)
        {
            return;
        }

        DtlsSession? session;
        if (datagram[0] == ConnectionIdRecord)
        {
            if (datagram.Length < 13 + ConnectionIdLength || !byConnectionId.TryGetValue(BinaryPrimitives.ReadUInt64BigEndian(datagram.AsSpan(11)), out session))
            {
                return;
            }
        }
        else if (!byAddress.TryGetValue(from, out session) || (IsClientHello(datagram) && session.IsEstablished))
        {
            // A ClientHello from a new address, or from one whose session the device has lost (it rebooted).
            if (IsClientHello(datagram))
            {
                Hello(datagram, from);
            }

            return;
        }

        if (session.Deliver(datagram, from) && session.IsEstablished)
        {
            _ = session.DrainAsync(layer, stoppingToken);
        }
    }

    /// <summary>A handshake record of epoch 0 holding a ClientHello (message type 1).</summary>
    private static bool IsClientHello(byte[] datagram) =>
        datagram[0] == HandshakeRecord && datagram[3] == 0 && datagram[4] == 0 && datagram.Length > 13 && datagram[13] == 1;

    private void Hello(byte[] datagram, EndPoint from)
    {
        // Without a valid cookie this sends a HelloVerifyRequest and keeps nothing.
        var request = verifier.VerifyRequest(from.Serialize().Buffer.ToArray(), datagram, 0, datagram.Length, new Reply(socket!, from));
        if (request is null)
        {
            return;
        }

        // Only a ClientHello that returned its cookie counts against its address: one with a
        // forged source cannot, so nobody spends a NAT's handshakes but the devices behind it.
        using (var lease = handshakeRate.AttemptAcquire(((IPEndPoint)from).Address))
        {
            if (!lease.IsAcquired)
            {
                CountHandshake("limited");
                return;
            }
        }

        if (!handshakes.Wait(0))
        {
            CountHandshake("limited");
            return;
        }

        var connectionId = RandomNumberGenerator.GetBytes(ConnectionIdLength);
        var session = new DtlsSession(socket!, from, connectionId, time);
        if (byAddress.TryRemove(from, out var previous))
        {
            Forget(previous);
        }

        // Known by its Connection ID from the start: the client's Finished already carries it.
        byAddress[from] = session;
        byConnectionId[BinaryPrimitives.ReadUInt64BigEndian(connectionId)] = session;
        _ = Task.Factory.StartNew(() => Handshake(session, request), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Handshake(DtlsSession session, DtlsRequest request)
    {
        var keys = new DeviceKeys(directory);
        var server = new DevicePskServer(crypto, keys, (int)options.HandshakeTimeout.TotalMilliseconds, session.ConnectionId);
        try
        {
            var transport = protocol.Accept(server, session, request);
            session.Established(transport, new DeviceCredentials(server.DeviceId!, keys.Password!));
            session.Moved += Moved;

            // A request that came while the handshake was finishing waits in the inbox.
            _ = session.DrainAsync(layer, stopping);
            CountHandshake("completed");
            PlatformMetrics.DtlsSessions.Add(1);
            LogHandshake(server.DeviceId!, session.Remote.ToString()!, server.UsesConnectionId);
            EvictBeyondBound();
        }
        catch (Exception exception) when (exception is TlsException or IOException or InvalidOperationException or ArgumentException)
        {
            // An unknown identity (alert sent), a wrong key (the Finished does not decrypt: timed out), a peer that left.
            CountHandshake(keys.Unknown ? "unknown_identity" : session.WrongKey ? "wrong_key" : "failed");
            LogHandshakeFailed(session.Remote.ToString()!, exception.Message);
            Forget(session);
        }
        finally
        {
            handshakes.Release();
        }
    }

    private void Moved(DtlsSession session, EndPoint from, EndPoint to)
    {
        byAddress.TryRemove(new KeyValuePair<EndPoint, DtlsSession>(from, session));
        byAddress[to] = session;
    }

    private void Forget(DtlsSession session)
    {
        if (byConnectionId.TryRemove(new KeyValuePair<ulong, DtlsSession>(BinaryPrimitives.ReadUInt64BigEndian(session.ConnectionId), session)) && session.IsEstablished)
        {
            PlatformMetrics.DtlsSessions.Add(-1);
        }

        byAddress.TryRemove(new KeyValuePair<EndPoint, DtlsSession>(session.Remote, session));
        session.Shutdown();
    }

    private static void CountHandshake(string outcome) => PlatformMetrics.DtlsHandshakes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private void EvictBeyondBound()
    {
        var excess = byConnectionId.Count - options.MaxSessions;
        if (excess <= 0)
        {
            return;
        }

        // A hundredth at a time: the longest idle, found in one sort rather than one per handshake.
        foreach (var idle in byConnectionId.Values.OrderByDescending(s => s.Idle).Take(Math.Max(excess, options.MaxSessions / 100)).ToList())
        {
            Forget(idle);
        }
    }

    private async Task SweepAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var session in byConnectionId.Values.Where(s => s.IsClosed || s.Idle > options.SessionIdleTimeout).ToList())
                {
                    Forget(session);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "DTLS session for device {Device} from {Remote} (Connection ID: {UsesConnectionId}).")]
    private partial void LogHandshake(string device, string remote, bool usesConnectionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DTLS handshake from {Remote} failed: {Reason}")]
    private partial void LogHandshakeFailed(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A datagram from {Remote} could not be handled.")]
    private partial void LogDatagramFailed(Exception exception, string remote);

    /// <summary>Sends the HelloVerifyRequest to the address the ClientHello came from.</summary>
    private sealed class Reply(Socket socket, EndPoint to) : DatagramSender
    {
        public int GetSendLimit() => 1400;

        public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer)
        {
            try
            {
                socket.SendTo(buffer, SocketFlags.None, to);
            }
            catch (SocketException)
            {
                // Lost: the device sends its ClientHello again.
            }
        }
    }
}
