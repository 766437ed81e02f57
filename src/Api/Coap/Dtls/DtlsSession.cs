using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Embever.Actors.Api.Gateway;
using Org.BouncyCastle.Tls;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// One device's DTLS session, from its first verified ClientHello on. It is BouncyCastle's
/// datagram transport: records the endpoint routes here (by address, or by Connection ID) wait in
/// a small inbox, which the handshake thread reads while shaking hands and
/// <see cref="DrainAsync"/> reads afterwards, one record at a time, answering each CoAP request
/// before it takes the next.
/// </summary>
public sealed class DtlsSession : DatagramTransport
{
    /// <summary>Records waiting; more are dropped (the device sends them again).</summary>
    private const int InboxSize = 32;

    /// <summary>
    /// How long after the client's encrypted Finished a handshake may go on. A right key completes
    /// it at once; a wrong one cannot decrypt, BouncyCastle drops the record silently and would
    /// wait out the whole handshake timeout holding a thread. A client whose first final flight
    /// was lost sends it again within its retransmission timer, so two seconds and a second
    /// encrypted record are the sign of a wrong key.
    /// </summary>
    private static readonly TimeSpan WrongKeyAfter = TimeSpan.FromSeconds(2);

    private readonly BlockingCollection<(byte[] Record, EndPoint From)> inbox = new(InboxSize);
    private readonly Socket socket;
    private readonly TimeProvider time;
    private DtlsTransport? transport;
    private EndPoint? receivedFrom;
    private int draining;
    private long lastActive;
    private int encryptedHandshakeRecords;
    private long firstEncryptedHandshakeRecord;

    public DtlsSession(Socket socket, EndPoint remote, byte[] connectionId, TimeProvider time)
    {
        this.socket = socket;
        this.time = time;
        Remote = remote;
        ConnectionId = connectionId;
        Id = Convert.ToHexString(connectionId);
        lastActive = time.GetTimestamp();
    }

    /// <summary>Names the session for duplicate detection: it outlives the device's address.</summary>
    public string Id { get; }

    public byte[] ConnectionId { get; }

    /// <summary>Where answers go: the address the newest authenticated record came from.</summary>
    public EndPoint Remote { get; private set; }

    public DeviceCredentials? Device { get; private set; }

    public bool IsEstablished => transport is not null;

    public bool IsClosed { get; private set; }

    /// <summary>Whether the handshake ended because the client's key was wrong.</summary>
    public bool WrongKey { get; private set; }

    public TimeSpan Idle => time.GetElapsedTime(Interlocked.Read(ref lastActive));

    /// <summary>Raised when a record carrying the Connection ID moved the session to another address.</summary>
    public event Action<DtlsSession, EndPoint, EndPoint>? Moved;

    public void Established(DtlsTransport established, DeviceCredentials device)
    {
        Device = device;
        transport = established;
    }

    /// <summary>Takes a record from the socket; false when the inbox is full.</summary>
    public bool Deliver(byte[] record, EndPoint from) => !IsClosed && inbox.TryAdd((record, from));

    /// <summary>Decrypts what waits and answers each CoAP request in it; one drain at a time per session.</summary>
    public async Task DrainAsync(CoapMessageLayer layer, CancellationToken cancellationToken)
    {
        if (transport is null || Interlocked.CompareExchange(ref draining, 1, 0) != 0)
        {
            return;
        }

        var buffer = new byte[transport.GetReceiveLimit()];
        try
        {
            while (inbox.Count > 0 && !IsClosed)
            {
                // One millisecond at most: a record that is not application data (a retransmitted
                // Finished, an alert) makes BouncyCastle wait for the next, and there is none yet.
                var length = transport.Receive(buffer, 0, buffer.Length, 1, OnRecord);
                if (length < 0)
                {
                    continue;
                }

                Interlocked.Exchange(ref lastActive, time.GetTimestamp());
                if (await layer.HandleAsync(buffer.AsMemory(0, length), Id, Device, cancellationToken) is { } answer)
                {
                    transport.Send(answer, 0, answer.Length);
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A fatal alert or a broken record layer ends the session (it runs unobserved: nothing
            // may escape); the device shakes hands again.
            Close();
        }
        finally
        {
            Volatile.Write(ref draining, 0);
        }

        if (inbox.Count > 0 && !IsClosed)
        {
            await DrainAsync(layer, cancellationToken);
        }
    }

    /// <summary>Ends the session with a close_notify.</summary>
    public void Shutdown()
    {
        try
        {
            transport?.Close();
        }
        catch (Exception exception) when (exception is TlsException or IOException or SocketException)
        {
            // Closing what already failed.
        }

        Close();
    }

    int DatagramReceiver.GetReceiveLimit() => 16 * 1024 + 512;

    int DatagramSender.GetSendLimit() => 1400;

    int DatagramReceiver.Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    int DatagramReceiver.Receive(Span<byte> buffer, int waitMillis) => Receive(buffer, waitMillis);

    private int Receive(Span<byte> buffer, int waitMillis)
    {
        if (transport is null && encryptedHandshakeRecords >= 2 && time.GetElapsedTime(firstEncryptedHandshakeRecord) > WrongKeyAfter)
        {
            // Ends the handshake at once with an alert the device understands, freeing its thread.
            WrongKey = true;
            throw new TlsFatalAlert(AlertDescription.decrypt_error, "The client's Finished does not decrypt: a wrong pre-shared key.");
        }

        // During the handshake, wait in slices so that a wrong key is noticed while BouncyCastle waits.
        var wait = waitMillis == 0 ? Timeout.Infinite : waitMillis;
        if (IsClosed || !inbox.TryTake(out var item, transport is null && wait is Timeout.Infinite or > 500 ? 500 : wait))
        {
            return -1;
        }

        if (transport is null && IsEncryptedHandshakeRecord(item.Record) && encryptedHandshakeRecords++ == 0)
        {
            firstEncryptedHandshakeRecord = time.GetTimestamp();
        }

        receivedFrom = item.From;
        var length = Math.Min(buffer.Length, item.Record.Length);
        item.Record.AsSpan(0, length).CopyTo(buffer);
        return length;
    }

    /// <summary>A handshake record (or one with a Connection ID) of epoch 1 or later: the client's Finished.</summary>
    private static bool IsEncryptedHandshakeRecord(byte[] record) =>
        record.Length > 5 && record[0] is 22 or 25 && ((record[3] << 8) | record[4]) > 0;

    void DatagramSender.Send(byte[] buf, int off, int len) => SendTo(buf.AsSpan(off, len));

    void DatagramSender.Send(ReadOnlySpan<byte> buffer) => SendTo(buffer);

    void TlsCloseable.Close() => Close();

    private void Close() => IsClosed = true;

    private void SendTo(ReadOnlySpan<byte> datagram)
    {
        try
        {
            socket.SendTo(datagram, SocketFlags.None, Remote);
        }
        catch (SocketException)
        {
            // UDP: a lost datagram is the device's to send again.
        }
    }

    /// <summary>A record that authenticated with the Connection ID and is the newest seen moves the session to its address (RFC 9146 §6).</summary>
    private void OnRecord(DtlsRecordFlags flags)
    {
        if (flags.HasFlag(DtlsRecordFlags.IsNewest | DtlsRecordFlags.UsesConnectionID) && receivedFrom is { } from && !from.Equals(Remote))
        {
            var old = Remote;
            Remote = from;
            Moved?.Invoke(this, old, from);
        }
    }
}
