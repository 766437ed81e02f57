using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// The server's side of one DTLS 1.2 PSK handshake (RFC 6347, RFC 4279, RFC 9146, RFC 7627) as
/// state, driven by the records that arrive: it begins with a ClientHello that returned its
/// cookie and answers ServerHello and ServerHelloDone; the client's ClientKeyExchange names the
/// identity, whose key is looked up elsewhere (<see cref="KeyFound"/>); the client's Finished,
/// once it verifies under that key, yields the session keys and the server's Finished. A
/// retransmitted ClientHello is the same handshake: its flight is sent again. What it holds is
/// the transcript (some hundred bytes) and a few fields: well under a kilobyte.
/// </summary>
public sealed class DtlsHandshake
{
    private const int RandomSize = 32;
    private const int VerifyDataSize = 12;
        private const ushort ExtendedMasterSecretExtension = 23;
    private const ushort ConnectionIdExtension = 54;
    private const ushort RenegotiationInfoExtension = 0xFF01;

    private readonly byte[] clientRandom;
    private readonly byte[] serverRandom = RandomNumberGenerator.GetBytes(RandomSize);
    private readonly byte[] serverFlight;
    private readonly ushort clientHelloSequence;
    private readonly ushort serverHelloSequence;
    private readonly bool extendedMasterSecret;
    private byte[] transcript;
    private int transcriptLength;
    private long plainSequence;
    private byte[]? clientFinishedRecord;
    private byte[]? sessionHash;
    private byte[]? psk;

    private DtlsHandshake(IPEndPoint peer, ClientHello hello, ReadOnlySpan<byte> helloMessage, ushort helloSequence, long recordSequence, ulong connectionId, long now)
    {
        Peer = peer;
        Suite = hello.Suite!.Value;
        ConnectionId = connectionId;
        ClientConnectionId = hello.ConnectionId is { Length: > 0 } wanted ? wanted : null;
        UsesConnectionId = hello.ConnectionId is not null;
        clientRandom = hello.Random;
        extendedMasterSecret = hello.ExtendedMasterSecret;
        clientHelloSequence = helloSequence;

        // A stateless server answers at the message and record numbers the hello came with (RFC 6347 §4.2.1).
        serverHelloSequence = helloSequence;
        plainSequence = recordSequence;
        Started = LastHeard = now;

        var serverHello = HandshakeMessage.Write(HandshakeMessage.ServerHelloType, serverHelloSequence, ServerHelloBody(hello));
        var done = HandshakeMessage.Write(HandshakeMessage.ServerHelloDoneType, (ushort)(serverHelloSequence + 1), []);
        serverFlight = [.. serverHello, .. done];
        transcript = new byte[helloMessage.Length + serverFlight.Length + 64];
        Append(helloMessage);
        Append(serverFlight);
    }

    public IPEndPoint Peer { get; }

    public DtlsSuite Suite { get; }

    /// <summary>The Connection ID the device's records will carry (ours), whether or not it takes it.</summary>
    public ulong ConnectionId { get; }

    /// <summary>Whether the client offered the Connection ID extension (and got ours).</summary>
    public bool UsesConnectionId { get; }

    /// <summary>The Connection ID the client wants on records to it; null for none.</summary>
    public byte[]? ClientConnectionId { get; }

    /// <summary>The PSK identity, once the ClientKeyExchange came.</summary>
    public string? Identity { get; private set; }

    /// <summary>Whether the identity named no device (the handshake then fails as a wrong key does, telling nothing).</summary>
    public bool UnknownIdentity { get; private set; }

    public HandshakeStep Step { get; private set; } = HandshakeStep.AwaitingKeyExchange;

    public long Started { get; }

    /// <summary>When the peer was last heard from (a timestamp of the endpoint's clock).</summary>
    public long LastHeard { get; private set; }

    /// <summary>When the server's flight was last sent.</summary>
    public long LastSent { get; private set; }

    /// <summary>Flights sent again (RFC 6347 §4.2.4.1: the timer doubles each time).</summary>
    public int Retransmissions { get; set; }

    /// <summary>The next record number of epoch 0 (the session sends its ChangeCipherSpec at it).</summary>
    public long NextPlainSequence => plainSequence;

    /// <summary>The device's password (its PSK), once found.</summary>
    public string? Password => psk is null || UnknownIdentity ? null : Encoding.UTF8.GetString(psk);

    public static DtlsHandshake Begin(IPEndPoint peer, ClientHello hello, in HandshakeMessage message, long recordSequence, ulong connectionId, long now) =>
        new(peer, hello, message.Whole, message.Sequence, recordSequence, connectionId, now);

    /// <summary>Whether a ClientHello is this handshake's, sent again.</summary>
    public bool IsRetransmission(ClientHello hello) => hello.Random.AsSpan().SequenceEqual(clientRandom);

    /// <summary>The server's flight (ServerHello, ServerHelloDone) as one datagram, at a new record number each time.</summary>
    public byte[] Flight(long now)
    {
        LastSent = now;
        return DtlsRecord.Plain(DtlsRecord.HandshakeType, plainSequence++, serverFlight);
    }

    /// <summary>A plaintext record at this handshake's next record number (the ChangeCipherSpec, an alert).</summary>
    public byte[] PlainRecord(byte type, ReadOnlySpan<byte> fragment) => DtlsRecord.Plain(type, plainSequence++, fragment);

    /// <summary>
    /// Takes the records of one datagram from the peer: the ClientKeyExchange (then the identity is
    /// known: <see cref="HandshakeStep.LookingUp"/>), the ChangeCipherSpec, the encrypted Finished
    /// (kept until the key is known). Returns what the endpoint should do.
    /// </summary>
    public HandshakeEvent Receive(ReadOnlySpan<byte> datagram, long now)
    {
        var result = HandshakeEvent.None;
        while (DtlsRecord.TryRead(ref datagram, out var record))
        {
            if (record.Epoch == 1 && record.Type is DtlsRecord.HandshakeType or DtlsRecord.ConnectionIdType)
            {
                LastHeard = now;
                clientFinishedRecord = Whole(record);
                result = Max(result, Step == HandshakeStep.Keyed ? HandshakeEvent.Finish : HandshakeEvent.None);
                continue;
            }

            if (record.Epoch != 0)
            {
                continue;
            }

            if (record.Type == DtlsRecord.AlertType)
            {
                return HandshakeEvent.Abandoned;
            }

            if (record.Type != DtlsRecord.HandshakeType)
            {
                continue;
            }

            var fragment = record.Fragment;
            while (HandshakeMessage.TryRead(ref fragment, out var message))
            {
                if (message.Type == HandshakeMessage.ClientHelloType)
                {
                    var hello = ClientHello.Parse(message.Body);
                    if (hello is null)
                    {
                        continue;
                    }

                    LastHeard = now;
                    return IsRetransmission(hello) ? (Step == HandshakeStep.AwaitingKeyExchange ? HandshakeEvent.Resend : HandshakeEvent.None) : HandshakeEvent.NewHello;
                }

                if (message.Type == HandshakeMessage.ClientKeyExchangeType && message.Sequence == clientHelloSequence + 1 && Identity is null)
                {
                    var body = message.Body;
                    if (body.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(body) != body.Length - 2 || body.Length - 2 > 128)
                    {
                        return HandshakeEvent.Abandoned;
                    }

                    LastHeard = now;
                    Identity = Encoding.UTF8.GetString(body[2..]);
                    Append(message.Whole);
                    sessionHash = Hash();
                    Step = HandshakeStep.LookingUp;
                    result = Max(result, HandshakeEvent.LookUp);
                }
            }
        }

        return result;
    }

    /// <summary>The key of the identity arrived (null: no such device; a random key then fails the Finished as a wrong one does).</summary>
    public HandshakeEvent KeyFound(byte[]? key)
    {
        UnknownIdentity = key is null;
        psk = key ?? RandomNumberGenerator.GetBytes(16);
        Step = HandshakeStep.Keyed;
        return clientFinishedRecord is null ? HandshakeEvent.None : HandshakeEvent.Finish;
    }

    /// <summary>
    /// Verifies the client's Finished under the key: the session's keys and the server's Finished
    /// message when it verifies, null when it does not (a wrong key, or an unknown identity).
    /// </summary>
    public SessionKeys? Finish()
    {
        Step = HandshakeStep.Completing;
        var (keys, master) = SessionKeys.Derive(Suite, psk!, extendedMasterSecret, sessionHash!, clientRandom, serverRandom);

        ReadOnlySpan<byte> record = clientFinishedRecord;
        if (!DtlsRecord.TryRead(ref record, out var finishedRecord)
            || RecordProtection.Open(Suite, keys.ClientKey, keys.ClientIv, finishedRecord) is not (DtlsRecord.HandshakeType, var plain))
        {
            Step = HandshakeStep.Failed;
            return null;
        }

        ReadOnlySpan<byte> fragment = plain;
        var expected = DtlsPrf.Derive(master, "client finished", sessionHash, VerifyDataSize);
        if (!HandshakeMessage.TryRead(ref fragment, out var finished) || finished.Type != HandshakeMessage.FinishedType
            || !CryptographicOperations.FixedTimeEquals(finished.Body, expected))
        {
            Step = HandshakeStep.Failed;
            return null;
        }

        Append(finished.Whole);
        var serverVerify = DtlsPrf.Derive(master, "server finished", Hash(), VerifyDataSize);
        keys.ServerFinished = HandshakeMessage.Write(HandshakeMessage.FinishedType, (ushort)(serverHelloSequence + 2), serverVerify);
        keys.ClientFinishedSequence = finishedRecord.Sequence;
        return keys;
    }

    private static HandshakeEvent Max(HandshakeEvent a, HandshakeEvent b) => (HandshakeEvent)Math.Max((int)a, (int)b);

    private static byte[] Whole(in DtlsRecord record)
    {
        var header = DtlsRecord.HeaderSize + record.ConnectionId.Length;
        var whole = new byte[header + record.Fragment.Length];
        DtlsRecord.WriteHeader(whole, record.Type, record.Epoch, record.Sequence, record.ConnectionId, (ushort)record.Fragment.Length, record.Version);
        record.Fragment.CopyTo(whole.AsSpan(header));
        return whole;
    }

    private byte[] ServerHelloBody(ClientHello hello)
    {
        var extensions = new List<byte>();
        if (hello.SecureRenegotiation)
        {
            // An empty renegotiated_connection: this server never renegotiates (RFC 5746 §3.6).
            AddExtension(extensions, RenegotiationInfoExtension, [0]);
        }

        if (extendedMasterSecret)
        {
            AddExtension(extensions, ExtendedMasterSecretExtension, []);
        }

        if (UsesConnectionId)
        {
            var cid = new byte[1 + DtlsRecord.ConnectionIdLength];
            cid[0] = DtlsRecord.ConnectionIdLength;
            BinaryPrimitives.WriteUInt64BigEndian(cid.AsSpan(1), ConnectionId);
            AddExtension(extensions, ConnectionIdExtension, cid);
        }

        var body = new byte[2 + RandomSize + 1 + 2 + 1 + (extensions.Count > 0 ? 2 + extensions.Count : 0)];
        BinaryPrimitives.WriteUInt16BigEndian(body, DtlsRecord.Version12);
        serverRandom.CopyTo(body.AsSpan(2));

        // An empty session id: sessions are resumed by their Connection ID, not by abbreviated handshakes.
        body[34] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(35), (ushort)Suite);
        body[37] = 0;
        if (extensions.Count > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(38), (ushort)extensions.Count);
            extensions.CopyTo(body, 40);
        }

        return body;
    }

    private static void AddExtension(List<byte> extensions, ushort type, ReadOnlySpan<byte> data)
    {
        extensions.Add((byte)(type >> 8));
        extensions.Add((byte)type);
        extensions.Add((byte)(data.Length >> 8));
        extensions.Add((byte)data.Length);
        extensions.AddRange(data);
    }

    private void Append(ReadOnlySpan<byte> message)
    {
        if (transcriptLength + message.Length > transcript.Length)
        {
            Array.Resize(ref transcript, transcriptLength + message.Length + 32);
        }

        message.CopyTo(transcript.AsSpan(transcriptLength));
        transcriptLength += message.Length;
    }

    private byte[] Hash()
    {
        var digest = new Sha256Digest();
        digest.BlockUpdate(transcript.AsSpan(0, transcriptLength));
        var hash = new byte[32];
        digest.DoFinal(hash);
        return hash;
    }
}

public enum HandshakeStep
{
    AwaitingKeyExchange,
    LookingUp,
    Keyed,
    Completing,
    Failed,
}

/// <summary>What a handshake asks of the endpoint after a datagram, in rising precedence.</summary>
public enum HandshakeEvent
{
    None,
    Resend,
    LookUp,
    Finish,
    NewHello,
    Abandoned,
}
