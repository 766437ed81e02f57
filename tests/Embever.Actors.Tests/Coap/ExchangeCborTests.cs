using System.Formats.Cbor;
using System.Text;
using System.Text.Json;
using Embever.Actors.Actions;
using Embever.Actors.Api.Coap;
using Embever.Actors.Devices;

namespace Embever.Actors.Tests.Coap;

/// <summary>The exchange's CBOR form: short keys, RFC 8949 §6.1's mapping to JSON, and what has no JSON form refused.</summary>
public sealed class ExchangeCborTests
{
    private static string Json(byte[] cbor)
    {
        var (json, error) = ExchangeCbor.ToJson(cbor);
        Assert.Null(error);
        return Encoding.UTF8.GetString(json!);
    }

    private static string Error(byte[] cbor)
    {
        var (json, error) = ExchangeCbor.ToJson(cbor);
        Assert.Null(json);
        return error!;
    }

    [Fact]
    public void The_documented_request_reads_as_the_json_request_byte_for_byte()
    {
        // docs/gateway-protocol.md: {"e": [{"t": "gps", "p": {"lat": 52.52, "lon": 13.405}}], "a": [62542]}
        var cbor = Convert.FromHexString("A2616581A26174636770736170A2636C6174FB404A428F5C28F5C3636C6F6EFB402ACF5C28F5C28F61618119F44E");
        Assert.Equal("""{"events":[{"type":"gps","payload":{"lat":52.52,"lon":13.405}}],"acks":[62542]}""", Json(cbor));
    }

    [Fact]
    public void Every_short_key_has_its_long_name_and_payloads_keep_theirs()
    {
        var writer = new CborWriter();
        writer.WriteStartMap(3);
        writer.WriteTextString("r");
        writer.WriteStartArray(1);
        writer.WriteStartMap(3);
        writer.WriteTextString("a");
        writer.WriteInt32(5);
        writer.WriteTextString("r");
        writer.WriteStartMap(1);
        writer.WriteTextString("a");
        writer.WriteInt32(1);
        writer.WriteEndMap();
        writer.WriteTextString("c");
        writer.WriteTextString("Failure");
        writer.WriteEndMap();
        writer.WriteEndArray();
        writer.WriteTextString("f");
        writer.WriteStartArray(1);
        writer.WriteStartMap(2);
        writer.WriteTextString("a");
        writer.WriteInt32(6);
        writer.WriteTextString("s");
        writer.WriteTextString("complete");
        writer.WriteEndMap();
        writer.WriteEndArray();
        writer.WriteTextString("zz");
        writer.WriteNull();
        writer.WriteEndMap();
        Assert.Equal(
            """{"responses":[{"action":5,"result":{"a":1},"result_code":"Failure"}],"file_transfers":[{"action":6,"status":"complete"}],"zz":null}""",
            Json(writer.Encode()));
    }

    [Theory]
    [InlineData("A0", "{}")]
    [InlineData("", "{}")]
    [InlineData("A1616180", """{"acks":[]}""")]
    [InlineData("A1616581A261746061704 40102FFFF", """{"events":[{"type":"","payload":"AQL__w"}]}""")]
    [InlineData("A1617A9F01F93E00F5F6F73BFFFFFFFFFFFFFFFEFF", """{"z":[1,1.5,true,null,null,-18446744073709551615]}""")]
    public void Cbor_values_map_to_json_values(string hex, string expected)
    {
        if (expected.Contains("18446744073709551615"))
        {
            // Beyond 64 bits: refused, not rounded.
            Assert.Contains("64 bits", Error(Convert.FromHexString(hex)));
            return;
        }

        Assert.Equal(expected, Json(Convert.FromHexString(hex.Replace(" ", ""))));
    }

    [Theory]
    [InlineData("A1", "well-formed")]
    [InlineData("A2616101616102", "well-formed")]
    [InlineData("A101 02", "not text")]
    [InlineData("A16178F97E00", "NaN")]
    [InlineData("A16178F97C00", "NaN")]
    [InlineData("A0 00", "after its CBOR item")]
    [InlineData("A16178 62FFFE", "well-formed")]
    public void What_has_no_json_form_is_refused_with_its_reason(string hex, string reason)
    {
        Assert.Contains(reason, Error(Convert.FromHexString(hex.Replace(" ", ""))));
    }

    [Fact]
    public void Nesting_deeper_than_64_is_refused()
    {
        var bytes = new List<byte> { 0xA1, 0x61, 0x70 };
        bytes.AddRange(Enumerable.Repeat((byte)0x81, 80));
        bytes.Add(0x01);
        Assert.Contains("deeper", Error([.. bytes]));
    }

    [Fact]
    public void An_answer_writes_short_keys_leaves_out_empty_lists_and_numbers_in_their_shortest_form()
    {
        var answer = new ExchangeAnswer([new OutgoingAction(62540, "getGps", """{"accuracy": 0.5, "big": 1e300, "n": -7}""", 2)], [], []);
        var cbor = ExchangeCbor.FromAnswer(answer);
        // {"a": [{"i": 62540, "t": "getGps", "p": {"accuracy": 0.5 (half), "big": 1e300 (double), "n": -7}, "s": 2}]}
        Assert.Equal(
            "A1616181A46169 19F44C 6174 66676574477073 6170 A3 6861636375726163 79 F93800 63626967 FB7E37E43C8800759C 616E 26 6173 02".Replace(" ", ""),
            Convert.ToHexString(cbor));

        var json = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            Assert.True(CborJson.TryWriteJson(new CborReader(cbor), writer, ExchangeCbor.Answer, out _));
        }

        Assert.Equal("""{"actions":[{"id":62540,"type":"getGps","payload":{"accuracy":0.5,"big":1E+300,"n":-7},"service_level":2}]}""", Encoding.UTF8.GetString(json.WrittenSpan));
        Assert.Equal("A0", Convert.ToHexString(ExchangeCbor.FromAnswer(new ExchangeAnswer([], [], []))));
        Assert.Equal("A2616581016178 81A2616102617267 6578706972 6564".Replace(" ", ""), Convert.ToHexString(ExchangeCbor.FromAnswer(new ExchangeAnswer([], [1], [new Rejection(2, "expired")]))));
    }

    [Fact]
    public void The_documented_datagrams_are_what_the_codec_reads_and_writes()
    {
        // docs/gateway-protocol.md, "A wakeup over CoAP, byte for byte".
        var request = Convert.FromHexString("44021234CAFEF00DB178113CFFA2616581A26174636770736170A2636C6174FB404A428F5C28F5C3636C6F6EFB402ACF5C28F5C28F61618119F44E");
        Assert.True(CoapCodec.TryDecode(request, out var message, out _));
        Assert.Equal(CoapType.Confirmable, message!.Type);
        Assert.Equal(CoapCode.Post, message.Code);
        Assert.Equal(0x1234, message.MessageId);
        Assert.Equal("x", message.First(CoapOption.UriPath)!.Value.AsText());
        Assert.Equal(ContentFormats.Cbor, message.First(CoapOption.ContentFormat)!.Value.AsUint());
        Assert.Equal("""{"events":[{"type":"gps","payload":{"lat":52.52,"lon":13.405}}],"acks":[62542]}""", Json(message.Payload));

        var answer = ExchangeCbor.FromAnswer(new ExchangeAnswer([new OutgoingAction(17, "setSettings", """{"interval": 3600}""", 1)], [41], []));
        var datagram = CoapCodec.Encode(new CoapMessage(CoapType.Acknowledgement, CoapCode.Changed, 0x1234, message.Token, [CoapOption.Uint(CoapOption.ContentFormat, ContentFormats.Cbor)], answer));
        Assert.Equal("64441234CAFEF00DC13CFFA2616181A461691161746B73657453657474696E67736170A168696E74657276616C190E106173016165811829", Convert.ToHexString(datagram));
    }
}
