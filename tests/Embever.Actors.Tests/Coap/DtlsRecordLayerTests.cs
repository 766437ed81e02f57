using System.Net;
using System.Text;
using Embever.Actors.Api.Coap;
using Embever.Actors.Api.Coap.Dtls;
using Org.BouncyCastle.Security;
using PrfAlgorithm = Org.BouncyCastle.Tls.PrfAlgorithm;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Embever.Actors.Tests.Coap;

/// <summary>
/// The gateway's DTLS pieces on their own: the PRF against BouncyCastle's, records sealed and
/// opened with and without a Connection ID (tampering refused), and the rules of the bounded
/// table of handshakes under way.
/// </summary>
public sealed class DtlsRecordLayerTests
{
    [Theory]
    [InlineData("master secret", 48)]
    [InlineData("key expansion", 40)]
    [InlineData("client finished", 12)]
    public void The_prf_gives_what_bouncycastles_gives(string label, int length)
    {
        var secret = Encoding.ASCII.GetBytes("a pre-master secret of some length");
        var seed = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var expected = new BcTlsCrypto(new SecureRandom()).CreateSecret(secret).DeriveUsingPrf(PrfAlgorithm.tls_prf_sha256, label, seed, length).Extract();
        Assert.Equal(expected, DtlsPrf.Derive(secret, label, seed, length));
    }

    [Theory]
    [InlineData(DtlsSuite.PskAes128Ccm8, false)]
    [InlineData(DtlsSuite.PskAes128Ccm8, true)]
    [InlineData(DtlsSuite.PskAes128GcmSha256, false)]
    [InlineData(DtlsSuite.PskAes128GcmSha256, true)]
    public void A_sealed_record_opens_with_its_key_and_not_when_touched(DtlsSuite suite, bool withConnectionId)
    {
        var key = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var iv = new byte[] { 9, 8, 7, 6 };
        byte[] cid = withConnectionId ? [1, 2, 3, 4, 5, 6, 7, 8] : [];
        var sealedRecord = RecordProtection.Seal(suite, key, iv, DtlsRecord.ApplicationDataType, 1, 4711, cid, "hello"u8);
        Assert.Equal(withConnectionId ? DtlsRecord.ConnectionIdType : DtlsRecord.ApplicationDataType, sealedRecord[0]);

        ReadOnlySpan<byte> span = sealedRecord;
        Assert.True(DtlsRecord.TryRead(ref span, out var record));
        Assert.Equal(4711, record.Sequence);
        Assert.Equal(1, record.Epoch);
        var opened = RecordProtection.Open(suite, key, iv, record);
        Assert.NotNull(opened);
        Assert.Equal(DtlsRecord.ApplicationDataType, opened.Value.Type);
        Assert.Equal("hello"u8.ToArray(), opened.Value.Plaintext);

        // Any byte of header or body changed, or another key: nothing opens.
        for (var i = 3; i < sealedRecord.Length; i++)
        {
            var touched = (byte[])sealedRecord.Clone();
            touched[i] ^= 0x40;
            ReadOnlySpan<byte> touchedSpan = touched;
            if (DtlsRecord.TryRead(ref touchedSpan, out var touchedRecord))
            {
                Assert.Null(RecordProtection.Open(suite, key, iv, touchedRecord));
            }
        }

        key[0] ^= 1;
        Assert.Null(RecordProtection.Open(suite, key, iv, record));
    }

    [Fact]
    public void Half_open_handshakes_are_bounded_per_address_and_per_prefix_and_a_full_table_drops_its_oldest_stranger()
    {
        var table = new HalfOpenHandshakes(new CoapOptions { MaxHalfOpenHandshakes = 8, HalfOpenPerAddress = 2, HalfOpenPerPrefix = 3 });

        // Per address: a third from 10.0.0.1 takes the place of its first.
        var a1 = Handshake("10.0.0.1", 1);
        var a2 = Handshake("10.0.0.1", 2);
        var a3 = Handshake("10.0.0.1", 3);
        Assert.Equal(0, table.Add(a1) + table.Add(a2));
        Assert.Equal(1, table.Add(a3));
        Assert.False(table.TryGet(a1.Peer, out _));
        Assert.True(table.TryGet(a2.Peer, out _) && table.TryGet(a3.Peer, out _));

        // Per /24: 10.0.0.9's second is the prefix's fourth, so the prefix's oldest (a2) goes.
        Assert.Equal(0, table.Add(Handshake("10.0.0.9", 1)));
        Assert.Equal(1, table.Add(Handshake("10.0.0.9", 2)));
        Assert.False(table.TryGet(a2.Peer, out _));

        // A device that completed a handshake keeps its place when strangers fill the table.
        var known = Handshake("192.168.5.5", 1);
        table.Completed(known.Peer.Address);
        table.Add(known);
        var strangers = Enumerable.Range(1, 20).Select(i => Handshake($"172.16.{i}.1", 1)).ToList();
        foreach (var stranger in strangers)
        {
            table.Add(stranger);
        }

        // Strangers hold at most three quarters of the table (6 of 8), newest kept; the known one stays.
        Assert.Equal(7, table.Count);
        Assert.True(table.TryGet(known.Peer, out _));
        Assert.True(table.TryGet(strangers[^1].Peer, out _));
        Assert.False(table.TryGet(strangers[0].Peer, out _));
    }

    [Fact]
    public void A_client_hello_sent_again_is_the_same_handshake_and_gets_the_same_flight()
    {
        var hello = ClientHelloMessage(random: 7);
        ReadOnlySpan<byte> fragment = hello;
        Assert.True(HandshakeMessage.TryRead(ref fragment, out var message));
        var parsed = ClientHello.Parse(message.Body)!;
        var handshake = DtlsHandshake.Begin(new IPEndPoint(IPAddress.Loopback, 5000), parsed, message, 1, 42, 0);
        var first = handshake.Flight(0);

        Assert.Equal(HandshakeEvent.Resend, handshake.Receive(DtlsRecord.Plain(DtlsRecord.HandshakeType, 2, hello), 1));
        var again = handshake.Flight(1);

        // The same messages at a new record number.
        Assert.Equal(first.AsSpan(DtlsRecord.HeaderSize).ToArray(), again.AsSpan(DtlsRecord.HeaderSize).ToArray());
        Assert.NotEqual(first.AsSpan(3, 8).ToArray(), again.AsSpan(3, 8).ToArray());

        // Another hello from the same address starts over.
        Assert.Equal(HandshakeEvent.NewHello, handshake.Receive(DtlsRecord.Plain(DtlsRecord.HandshakeType, 3, ClientHelloMessage(random: 8)), 2));
    }

    private static DtlsHandshake Handshake(string address, int port)
    {
        ReadOnlySpan<byte> fragment = ClientHelloMessage(random: port);
        HandshakeMessage.TryRead(ref fragment, out var message);
        return DtlsHandshake.Begin(new IPEndPoint(IPAddress.Parse(address), port), ClientHello.Parse(message.Body)!, message, 1, (ulong)port, 0);
    }

    /// <summary>A ClientHello as a PSK device sends it (with a cookie: the second one).</summary>
    private static byte[] ClientHelloMessage(int random) =>
        HandshakeMessage.Write(HandshakeMessage.ClientHelloType, 1, Device.Link.DtlsClientHandshake.HelloBody(Enumerable.Repeat((byte)random, 32).ToArray(), [1, 2, 3, 4], connectionId: true));
}
