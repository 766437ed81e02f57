using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Authentication;
using System.Text;
using Embever.Actors.Api.Coap.Dtls;

namespace Embever.Actors.Device.Link;

/// <summary>
/// A device's side of the DTLS 1.2 PSK handshake, asynchronous and small enough to run
/// thousands at once in one process (the <c>handshakes</c> load scenario): ClientHello, the
/// cookie, ClientHello again, then ClientKeyExchange, ChangeCipherSpec and Finished in one
/// datagram, the server's Finished verified. Each flight is sent again on a doubling timer
/// (RFC 6347 §4.2.4). It offers what the gateway takes: both suites, extended master secret,
/// secure renegotiation, and (unless told not to) a Connection ID. Built on the gateway's own
/// record primitives; it is a test client, not a second implementation to ship.
/// </summary>
public static class DtlsClientHandshake
{
    private const ushort ExtendedMasterSecretExtension = 23;
    private const ushort ConnectionIdExtension = 54;

    /// <summary>
    /// A connected UDP socket's session with the gateway; throws <see cref="TimeoutException"/> when
    /// the gateway does not answer in <paramref name="timeout"/>. <paramref name="roundTrip"/>
    /// simulates a radio link's round trip: each flight waits that long before it is sent.
    /// </summary>
    public static async Task<DtlsClientSession> ConnectAsync(Socket socket, string identity, byte[] psk, bool connectionId, TimeSpan timeout, CancellationToken cancellationToken = default, WireCounter? wire = null, TimeSpan roundTrip = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;
        var buffer = new byte[2048];
        var clientRandom = RandomNumberGenerator.GetBytes(32);
        long plainSequence = 0;

        try
        {
            // Flight 1 and 2: the hello, answered with a cookie.
            var first = HandshakeMessage.Write(HandshakeMessage.ClientHelloType, 0, HelloBody(clientRandom, [], connectionId));
            byte[]? cookie = null;
            await ExchangeAsync(socket, wire, roundTrip, () => DtlsRecord.Plain(DtlsRecord.HandshakeType, plainSequence++, first), buffer, datagram =>
            {
                foreach (var message in Messages(datagram))
                {
                    if (message.Type == HandshakeMessage.HelloVerifyRequestType && message.Body.Length >= 3)
                    {
                        cookie = message.Body.Slice(3, message.Body[2]).ToArray();
                    }
                }

                return cookie is not null;
            }, token);

            // Flight 3 and 4: the hello with its cookie, answered with ServerHello and ServerHelloDone.
            var hello = HandshakeMessage.Write(HandshakeMessage.ClientHelloType, 1, HelloBody(clientRandom, cookie!, connectionId));
            byte[]? serverHello = null;
            byte[]? serverDone = null;
            await ExchangeAsync(socket, wire, roundTrip, () => DtlsRecord.Plain(DtlsRecord.HandshakeType, plainSequence++, hello), buffer, datagram =>
            {
                foreach (var message in Messages(datagram))
                {
                    if (message.Type == HandshakeMessage.ServerHelloType)
                    {
                        serverHello = message.Whole.ToArray();
                    }
                    else if (message.Type == HandshakeMessage.ServerHelloDoneType)
                    {
                        serverDone = message.Whole.ToArray();
                    }
                }

                return serverHello is not null && serverDone is not null;
            }, token);

            var (suite, serverRandom, serverCid, ems) = ParseServerHello(serverHello!.AsSpan(HandshakeMessage.HeaderSize));
            var keyExchangeBody = new byte[2 + Encoding.UTF8.GetByteCount(identity)];
            BinaryPrimitives.WriteUInt16BigEndian(keyExchangeBody, (ushort)(keyExchangeBody.Length - 2));
            Encoding.UTF8.GetBytes(identity, keyExchangeBody.AsSpan(2));
            var keyExchange = HandshakeMessage.Write(HandshakeMessage.ClientKeyExchangeType, 2, keyExchangeBody);
            byte[] transcript = [.. hello, .. serverHello!, .. serverDone!, .. keyExchange];
            var sessionHash = SHA256.HashData(transcript);

            var (derived, master) = SessionKeys.Derive(suite, psk, ems, sessionHash, clientRandom, serverRandom);
            var keys = derived.Block;
            var finished = HandshakeMessage.Write(HandshakeMessage.FinishedType, 3, DtlsPrf.Derive(master, "client finished", sessionHash, 12));
            var expected = DtlsPrf.Derive(master, "server finished", SHA256.HashData([.. transcript, .. finished]), 12);
            var session = new DtlsClientSession { Suite = suite, Keys = keys, ConnectionId = serverCid };

            // Flight 5 and 6: key exchange, ChangeCipherSpec, Finished; the server's ChangeCipherSpec and Finished.
            await ExchangeAsync(socket, wire, roundTrip, () =>
            [
                .. DtlsRecord.Plain(DtlsRecord.HandshakeType, plainSequence++, keyExchange),
                .. DtlsRecord.Plain(DtlsRecord.ChangeCipherSpecType, plainSequence++, [1]),
                .. RecordProtection.Seal(suite, SessionKeys.ClientKeyOf(keys), SessionKeys.ClientIvOf(keys), DtlsRecord.HandshakeType, 1, session.WriteSequence++, serverCid, finished),
            ], buffer, datagram =>
            {
                ReadOnlySpan<byte> span = datagram;
                while (DtlsRecord.TryRead(ref span, out var record))
                {
                    if (record.Type == DtlsRecord.AlertType && record.Epoch == 0)
                    {
                        throw new AuthenticationException("The gateway refused the handshake (a wrong key, or an unknown identity).");
                    }

                    if (record.Epoch == 1 && RecordProtection.Open(suite, SessionKeys.ServerKeyOf(keys), SessionKeys.ServerIvOf(keys), record) is (DtlsRecord.HandshakeType, var plain))
                    {
                        if (!plain.AsSpan(HandshakeMessage.HeaderSize).SequenceEqual(expected))
                        {
                            throw new AuthenticationException("The gateway's Finished does not verify.");
                        }

                        session.ReadHigh = record.Sequence;
                        return true;
                    }
                }

                return false;
            }, token);
            return session;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No DTLS session within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Sends a flight and waits for the datagram that answers it, sending it again at 1 s, 2 s, 4 s …</summary>
    private static async Task ExchangeAsync(Socket socket, WireCounter? wire, TimeSpan roundTrip, Func<byte[]> flight, byte[] buffer, Func<byte[], bool> answers, CancellationToken token)
    {
        for (var wait = TimeSpan.FromSeconds(1); ; wait *= 2)
        {
            if (roundTrip > TimeSpan.Zero)
            {
                await Task.Delay(roundTrip, token);
            }

            var datagram = flight();
            await socket.SendAsync(datagram, SocketFlags.None, token);
            wire?.CountSent(datagram.Length);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(token);
            timer.CancelAfter(wait);
            try
            {
                while (true)
                {
                    var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timer.Token);
                    wire?.CountReceived(length);
                    if (answers(buffer[..length]))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // The flight or its answer was lost: send it again.
            }
            catch (SocketException)
            {
                // An ICMP error from an earlier datagram (the gateway restarting): send again.
                await Task.Delay(wait, token);
            }
        }
    }

    private static List<(byte Type, byte[] Whole)> MessagesOf(byte[] datagram)
    {
        var messages = new List<(byte, byte[])>();
        ReadOnlySpan<byte> span = datagram;
        while (DtlsRecord.TryRead(ref span, out var record))
        {
            if (record.Type == DtlsRecord.AlertType && record.Epoch == 0)
            {
                throw new AuthenticationException("The gateway refused the handshake.");
            }

            if (record.Type != DtlsRecord.HandshakeType || record.Epoch != 0)
            {
                continue;
            }

            var fragment = record.Fragment;
            while (HandshakeMessage.TryRead(ref fragment, out var message))
            {
                messages.Add((message.Type, message.Whole.ToArray()));
            }
        }

        return messages;
    }

    private static IEnumerable<Message> Messages(byte[] datagram) => MessagesOf(datagram).Select(m => new Message(m.Type, m.Whole));

    /// <summary>A ClientHello's body as this client sends it (tests send it from hostile peers too).</summary>
    public static byte[] HelloBody(byte[] random, byte[] cookie, bool connectionId)
    {
        var body = new List<byte> { 0xFE, 0xFD };
        body.AddRange(random);
        body.Add(0);
        body.Add((byte)cookie.Length);
        body.AddRange(cookie);
        ushort[] suites = [(ushort)DtlsSuite.PskAes128Ccm8, (ushort)DtlsSuite.PskAes128GcmSha256, 0x00FF];
        body.Add(0);
        body.Add((byte)(2 * suites.Length));
        foreach (var suite in suites)
        {
            body.Add((byte)(suite >> 8));
            body.Add((byte)suite);
        }

        body.AddRange([1, 0]);
        var extensions = new List<byte> { 0, (byte)ExtendedMasterSecretExtension, 0, 0 };
        if (connectionId)
        {
            // An empty Connection ID of its own: records to the device need none.
            extensions.AddRange([0, (byte)ConnectionIdExtension, 0, 1, 0]);
        }

        body.Add((byte)(extensions.Count >> 8));
        body.Add((byte)extensions.Count);
        body.AddRange(extensions);
        return [.. body];
    }

    private static (DtlsSuite Suite, byte[] Random, byte[] ConnectionId, bool ExtendedMasterSecret) ParseServerHello(ReadOnlySpan<byte> body)
    {
        var random = body.Slice(2, 32).ToArray();
        var at = 34 + 1 + body[34];
        var suite = (DtlsSuite)BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
        at += 3;
        byte[] cid = [];
        var ems = false;
        if (body.Length > at + 2)
        {
            var extensions = body.Slice(at + 2, BinaryPrimitives.ReadUInt16BigEndian(body[at..]));
            while (extensions.Length >= 4)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
                var length = BinaryPrimitives.ReadUInt16BigEndian(extensions[2..]);
                var data = extensions.Slice(4, length);
                if (type == ConnectionIdExtension && data.Length > 0)
                {
                    cid = data.Slice(1, data[0]).ToArray();
                }

                ems |= type == ExtendedMasterSecretExtension;
                extensions = extensions[(4 + length)..];
            }
        }

        return (suite, random, cid, ems);
    }

    private readonly record struct Message(byte Type, byte[] WholeBytes)
    {
        public ReadOnlySpan<byte> Whole => WholeBytes;

        public ReadOnlySpan<byte> Body => WholeBytes.AsSpan(HandshakeMessage.HeaderSize);
    }
}
