using Embever.Actors.Api.Coap;

namespace Embever.Actors.Tests.Coap;

/// <summary>CoAP's message format (RFC 7252 §3), byte for byte, and malformed datagrams.</summary>
public sealed class CoapCodecTests
{
    [Fact]
    public void A_confirmable_get_with_a_token_and_a_uri_path_is_written_as_the_rfc_lays_it_out()
    {
        var message = new CoapMessage(CoapType.Confirmable, CoapCode.Get, 0x7d34, [0xAB, 0xCD], [CoapOption.Text(CoapOption.UriPath, "temperature")], []);
        var bytes = CoapCodec.Encode(message);

        // Version 1, CON, token length 2 | 0.01 | message id | token | delta 11, length 11 | "temperature".
        byte[] expected = [0x42, 0x01, 0x7d, 0x34, 0xAB, 0xCD, 0xBB, .. "temperature"u8.ToArray()];
        Assert.Equal(expected, bytes);
        Assert.True(CoapCodec.TryDecode(bytes, out var decoded, out var error), error);
        Assert.Equal(CoapType.Confirmable, decoded!.Type);
        Assert.Equal("0.01", decoded.Code.ToString());
        Assert.Equal(0x7d34, decoded.MessageId);
        Assert.Equal([0xAB, 0xCD], decoded.Token);
        Assert.Equal("temperature", decoded.First(CoapOption.UriPath)!.Value.AsText());
        Assert.Empty(decoded.Payload);
    }

    [Fact]
    public void Option_numbers_and_lengths_past_12_and_268_take_one_and_two_extra_bytes_and_come_back()
    {
        var big = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var message = new CoapMessage(
            CoapType.NonConfirmable, CoapCode.Post, 7, [],
            [CoapOption.Text(CoapOption.UriPath, "x"), CoapOption.Uint(CoapOption.ContentFormat, 60), new CoapOption(CoapOption.Size1, [1, 2]), new CoapOption(1000, big)],
            "{}"u8.ToArray());
        var bytes = CoapCodec.Encode(message);

        // Size1 (60) after Content-Format (12): delta 48 = 13 + 35 -> nibble 13, one byte 35.
        var size1 = Array.IndexOf(bytes, (byte)0xD2);
        Assert.Equal(35, bytes[size1 + 1]);
        Assert.True(CoapCodec.TryDecode(bytes, out var decoded, out var error), error);
        Assert.Equal([CoapOption.UriPath, CoapOption.ContentFormat, CoapOption.Size1, (ushort)1000], decoded!.Options.Select(o => o.Number));
        Assert.Equal(60u, decoded.First(CoapOption.ContentFormat)!.Value.AsUint());
        Assert.Equal(big, decoded.First(1000)!.Value.Value);
        Assert.Equal("{}"u8.ToArray(), decoded.Payload);
    }

    [Fact]
    public void Unsigned_option_values_take_as_few_bytes_as_they_need()
    {
        Assert.Empty(CoapOption.Uint(CoapOption.ContentFormat, 0).Value);
        Assert.Equal([50], CoapOption.Uint(CoapOption.ContentFormat, 50).Value);
        Assert.Equal([0x01, 0x00], CoapOption.Uint(CoapOption.Size2, 256).Value);
        Assert.Equal(204_800u, CoapOption.Uint(CoapOption.Size2, 204_800).AsUint());
        Assert.Null(new CoapOption(CoapOption.Size2, [1, 2, 3, 4, 5]).AsUint());
    }

    [Fact]
    public void An_empty_acknowledgement_is_four_bytes()
    {
        var ack = CoapCodec.Encode(new CoapMessage(CoapType.Acknowledgement, CoapCode.Empty, 0x1234, [], [], []));
        Assert.Equal([0x60, 0x00, 0x12, 0x34], ack);
        Assert.True(CoapCodec.TryDecode(ack, out var decoded, out _));
        Assert.True(decoded!.IsEmpty);
        Assert.False(decoded.IsRequest);
    }

    [Theory]
    [InlineData(new byte[] { 0x40, 0x01, 0x00 }, "shorter than a header")]
    [InlineData(new byte[] { 0x80, 0x01, 0x00, 0x01 }, "version 2")]
    [InlineData(new byte[] { 0x49, 0x01, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, "token length 9")]
    [InlineData(new byte[] { 0x44, 0x01, 0x00, 0x01, 1, 2 }, "shorter than its token")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0xFF }, "a payload marker with no payload")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0xF1, 0x00 }, "nibble of 15")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0x1F, 0x00 }, "nibble of 15")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0xE1, 0x00 }, "cut short")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0xB5, (byte)'a' }, "an option value cut short")]
    [InlineData(new byte[] { 0x41, 0x00, 0x00, 0x01, 0x01 }, "an empty message with a token")]
    [InlineData(new byte[] { 0x40, 0x00, 0x00, 0x01, 0xFF, 0x01 }, "an empty message with a token")]
    public void Malformed_datagrams_are_refused_with_the_reason(byte[] datagram, string reason)
    {
        Assert.False(CoapCodec.TryDecode(datagram, out var message, out var error));
        Assert.Null(message);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Random_datagrams_never_throw_and_whatever_decodes_encodes_to_the_same_message()
    {
        var random = new Random(7252);
        var decoded = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var datagram = new byte[random.Next(0, 64)];
            random.NextBytes(datagram);
            if (datagram.Length > 0 && i % 2 == 0)
            {
                // Half of them start like a real message, so that the option parser is reached.
                datagram[0] = (byte)(0x40 | (datagram[0] & 0x3F & ~0x08));
            }

            if (!CoapCodec.TryDecode(datagram, out var message, out _))
            {
                continue;
            }

            decoded++;
            Assert.True(CoapCodec.TryDecode(CoapCodec.Encode(message!), out var again, out var error), error);
            Assert.Equal(message!.Type, again!.Type);
            Assert.Equal(message.Code, again.Code);
            Assert.Equal(message.MessageId, again.MessageId);
            Assert.Equal(message.Token, again.Token);
            Assert.Equal(message.Options.Select(o => (o.Number, Convert.ToHexString(o.Value))), again.Options.Select(o => (o.Number, Convert.ToHexString(o.Value))));
            Assert.Equal(message.Payload, again.Payload);
        }

        Assert.True(decoded > 1000, $"only {decoded} of the random datagrams decoded: the parser was hardly reached");
    }
}
