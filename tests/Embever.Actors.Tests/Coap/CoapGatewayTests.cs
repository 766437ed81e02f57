using System.Formats.Cbor;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Embever.Actors.Api.Coap;
using Embever.Actors.Device.Link;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Coap;

/// <summary>
/// The CoAP gateway's own rules, driven over real sockets: retransmissions answered once, the
/// Connection ID carrying a session across an address change, CBOR both ways, every refusal's
/// code, and malformed datagrams that never reach a 5.xx or stop the endpoint.
/// </summary>
[Collection(SqlitePlatformCollection.Name)]
public sealed class CoapGatewayTests(SqlitePlatformFixture fixture)
{
    private async Task<(ApiSession Session, DeviceSimulator Device)> NewDeviceAsync()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        return (session, await DeviceSimulator.CreateAsync(fixture, session, "coap-device"));
    }

    private IPEndPoint PlainEndPoint => new(IPAddress.Loopback, fixture.Platform.Plain().Port);

    private static async Task<JsonArray> EventsAsync(ApiSession session, string device) =>
        (await ApiSession.Json(await session.Get($"/v2/events/?device={device}"), HttpStatusCode.OK)).AsArray();

    [Fact]
    public async Task A_retransmitted_request_gets_the_same_answer_and_is_applied_once()
    {
        var (session, device) = await NewDeviceAsync();
        var id = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "reboot", service_level = 1 }))["id"]!.GetValue<long>();
        Assert.Single((await device.WakeAsync()).Actions);
        var request = CoapCodec.Encode(new CoapMessage(
            CoapType.Confirmable,
            CoapCode.Post,
            4711,
            [1, 2, 3, 4],
            [CoapOption.Text(CoapOption.UriPath, "x"), CoapOption.Uint(CoapOption.ContentFormat, ContentFormats.Json), CoapOption.Text(CoapOption.UriQuery, $"d={device.Id}"), CoapOption.Text(CoapOption.UriQuery, $"p={device.Password}")],
            Encoding.UTF8.GetBytes($$"""{"events": [{"type": "boot"}], "acks": [{{id}}]}""")));

        using var udp = new UdpChannel(PlainEndPoint);
        var answers = new List<byte[]>();
        for (var i = 0; i < 3; i++)
        {
            udp.Send(request);
            answers.Add(await ReceiveAsync(udp));
        }

        Assert.True(CoapCodec.TryDecode(answers[0], out var first, out _));
        Assert.Equal(CoapType.Acknowledgement, first!.Type);
        Assert.Equal(4711, first.MessageId);
        Assert.Equal(CoapCode.Changed, first.Code);
        Assert.All(answers, answer => Assert.Equal(answers[0], answer));
        Assert.Single(await EventsAsync(session, device.Id));
        Assert.NotNull((await session.GetActionAsync(id))["status"]!["action_delivered"]);

        // A NON request is answered with a NON of its own, the token echoed.
        var non = CoapCodec.Encode(new CoapMessage(CoapType.NonConfirmable, CoapCode.Post, 4712, [9], [CoapOption.Text(CoapOption.UriPath, "x"), CoapOption.Text(CoapOption.UriQuery, $"d={device.Id}"), CoapOption.Text(CoapOption.UriQuery, $"p={device.Password}")], []));
        udp.Send(non);
        Assert.True(CoapCodec.TryDecode(await ReceiveAsync(udp), out var nonAnswer, out _));
        Assert.Equal(CoapType.NonConfirmable, nonAnswer!.Type);
        Assert.Equal([9], nonAnswer.Token);
        Assert.Equal(CoapCode.Changed, nonAnswer.Code);
    }

    [Fact]
    public async Task With_a_connection_id_a_device_whose_address_changed_goes_on_without_a_handshake()
    {
        var (session, device) = await NewDeviceAsync();
        var secure = fixture.Platform.Secure();
        using var link = (CoapDeviceLink)DeviceLinks.Open(secure, device.Id, device.Password, cbor: true);
        var dtls = Assert.IsType<DtlsChannel>(link.Coap.Channel);
        Assert.True(dtls.UsesConnectionId);
        await link.ExchangeAsync(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = "before" }) });

        link.Coap.Channel.Rebind();
        var before = link.Wire.Total;
        await link.ExchangeAsync(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = "after" }) });
        Assert.True(link.Wire.Total - before < 200, $"{link.Wire.Total - before} bytes: more than one request and its answer");
        Assert.Equal(["after", "before"], (await EventsAsync(session, device.Id)).Select(e => e!["type"]!.GetValue<string>()).Order());

        // Without one, the same move leaves the session behind: the gateway drops records from an unknown address.
        using var plainSession = (CoapDeviceLink)DeviceLinks.Open(secure, device.Id, device.Password, connectionId: false);
        await plainSession.ExchangeAsync([]);
        plainSession.Coap.Channel.Rebind();
        var quick = new CoapLink(plainSession.Coap.Channel, []) { AckTimeout = TimeSpan.FromMilliseconds(100) };
        Assert.Null(quick.Request(CoapCode.Post, ["x"], [], []));
    }

    [Fact]
    public async Task A_device_that_keeps_its_session_in_a_file_wakes_again_without_a_handshake()
    {
        var (session, device) = await NewDeviceAsync();
        var file = Path.Combine(Path.GetTempPath(), $"session-{Guid.NewGuid():N}.json");
        try
        {
            using (var first = (CoapDeviceLink)DeviceLinks.Open(fixture.Platform.Secure(), device.Id, device.Password, sessionFile: file))
            {
                Assert.True(Assert.IsType<DtlsSessionChannel>(first.Coap.Channel).Handshook);
                await first.ExchangeAsync(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = "first-wake" }) });
            }

            // Asleep: a new process, a new port; the session comes from the file.
            using var second = (CoapDeviceLink)DeviceLinks.Open(fixture.Platform.Secure(), device.Id, device.Password, sessionFile: file);
            Assert.False(Assert.IsType<DtlsSessionChannel>(second.Coap.Channel).Handshook);
            await second.ExchangeAsync(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = "second-wake" }) });
            Assert.True(second.Wire.Total < 200, $"{second.Wire.Total} bytes: more than a request and its answer");
            Assert.Equal(["first-wake", "second-wake"], (await EventsAsync(session, device.Id)).Select(e => e!["type"]!.GetValue<string>()).Order());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Cbor_goes_both_ways_and_says_what_json_says()
    {
        var (session, device) = await NewDeviceAsync();
        var id = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "setSettings", payload = new { interval = 60, ratio = 0.25, name = "ü", list = new object[] { 1, -2, true } }, service_level = 2 }))["id"]!.GetValue<long>();

        // {"e": [{"t": "gps", "p": {"lat": 52.1, "n": -3, "raw": h'0102ff', "tagged": 1(1700000000)}}]}
        var writer = new CborWriter();
        writer.WriteStartMap(1);
        writer.WriteTextString("e");
        writer.WriteStartArray(1);
        writer.WriteStartMap(2);
        writer.WriteTextString("t");
        writer.WriteTextString("gps");
        writer.WriteTextString("p");
        writer.WriteStartMap(4);
        writer.WriteTextString("lat");
        writer.WriteDouble(52.1);
        writer.WriteTextString("n");
        writer.WriteInt32(-3);
        writer.WriteTextString("raw");
        writer.WriteByteString([1, 2, 255]);
        writer.WriteTextString("tagged");
        writer.WriteTag(CborTag.UnixTimeSeconds);
        writer.WriteInt64(1_700_000_000);
        writer.WriteEndMap();
        writer.WriteEndMap();
        writer.WriteEndArray();
        writer.WriteEndMap();

        using var udp = new UdpChannel(PlainEndPoint);
        var coap = new CoapLink(udp, [$"d={device.Id}", $"p={device.Password}"]);
        var answer = coap.Request(CoapCode.Post, ["x"], [CoapOption.Uint(CoapOption.ContentFormat, ContentFormats.Cbor)], writer.Encode())!;
        Assert.Equal(CoapCode.Changed, answer.Code);
        Assert.Equal(ContentFormats.Cbor, answer.First(CoapOption.ContentFormat)!.Value.AsUint());

        var reader = new CborReader(answer.Payload);
        Assert.Equal(2, reader.ReadStartMap());
        Assert.Equal("a", reader.ReadTextString());
        Assert.Equal(1, reader.ReadStartArray());
        Assert.Equal(4, reader.ReadStartMap());
        Assert.Equal("i", reader.ReadTextString());
        Assert.Equal(id, reader.ReadInt64());
        Assert.Equal("t", reader.ReadTextString());
        Assert.Equal("setSettings", reader.ReadTextString());
        Assert.Equal("p", reader.ReadTextString());
        Assert.Equal(4, reader.ReadStartMap());
        Assert.Equal("interval", reader.ReadTextString());
        Assert.Equal(60, reader.ReadInt32());
        Assert.Equal("ratio", reader.ReadTextString());
        Assert.Equal(CborReaderState.HalfPrecisionFloat, reader.PeekState());
        Assert.Equal(0.25, reader.ReadDouble());
        Assert.Equal("name", reader.ReadTextString());
        Assert.Equal("ü", reader.ReadTextString());
        Assert.Equal("list", reader.ReadTextString());
        Assert.Equal(3, reader.ReadStartArray());
        Assert.Equal(1, reader.ReadInt32());
        Assert.Equal(-2, reader.ReadInt32());
        Assert.True(reader.ReadBoolean());
        reader.ReadEndArray();
        reader.ReadEndMap();
        Assert.Equal("s", reader.ReadTextString());
        Assert.Equal(2, reader.ReadInt32());
        reader.ReadEndMap();
        reader.ReadEndArray();
        Assert.Equal("e", reader.ReadTextString());
        Assert.Equal(1, reader.ReadStartArray());
        var eventId = reader.ReadInt64();
        reader.ReadEndArray();
        reader.ReadEndMap();
        Assert.Equal(0, reader.BytesRemaining);

        var stored = (await EventsAsync(session, device.Id)).Single()!;
        Assert.Equal(eventId, stored["id"]!.GetValue<long>());
        Assert.Equal("gps", stored["type"]!.GetValue<string>());
        Assert.Equal(52.1, stored["payload"]!["lat"]!.GetValue<double>());
        Assert.Equal(-3, stored["payload"]!["n"]!.GetValue<int>());
        Assert.Equal("AQL_", stored["payload"]!["raw"]!.GetValue<string>());
        Assert.Equal(1_700_000_000, stored["payload"]!["tagged"]!.GetValue<long>());

        // Accept asks for JSON whatever was sent; the device's own reading of the CBOR answer says the same.
        var asJson = coap.Request(CoapCode.Post, ["x"], [CoapOption.Uint(CoapOption.ContentFormat, ContentFormats.Cbor), CoapOption.Uint(CoapOption.Accept, ContentFormats.Json)], [0xA0])!;
        Assert.Equal(ContentFormats.Json, asJson.First(CoapOption.ContentFormat)!.Value.AsUint());
        var json = JsonNode.Parse(asJson.Payload)!;
        using var link = (CoapDeviceLink)DeviceLinks.Open(fixture.Platform.Plain(), device.Id, device.Password, cbor: true);
        var decoded = await link.ExchangeAsync([]);
        Assert.True(JsonNode.DeepEquals(json["actions"], decoded["actions"]), $"{json["actions"]} vs {decoded["actions"]}");
    }

    [Theory]
    [InlineData("POST", "y", null, null, "", "4.04")]
    [InlineData("GET", "x", null, null, "", "4.05")]
    [InlineData("POST", "x", 42u, null, "{}", "4.15")]
    [InlineData("POST", "x", 50u, 0u, "{}", "4.06")]
    [InlineData("POST", "x", 50u, null, "{\"events\": [{\"type\": \"\"}], \"bogus\": 1}", "4.00")]
    [InlineData("POST", "x", 50u, null, "{\"events\": ", "4.00")]
    [InlineData("POST", "x", 60u, null, "\u00ff", "4.00")]
    public async Task Bad_requests_get_a_client_error_with_a_diagnostic(string method, string path, uint? format, uint? accept, string payload, string code)
    {
        var (_, device) = await NewDeviceAsync();
        using var udp = new UdpChannel(PlainEndPoint);
        var coap = new CoapLink(udp, [$"d={device.Id}", $"p={device.Password}"]);
        List<CoapOption> options = [];
        if (format is { } f)
        {
            options.Add(CoapOption.Uint(CoapOption.ContentFormat, f));
        }

        if (accept is { } a)
        {
            options.Add(CoapOption.Uint(CoapOption.Accept, a));
        }

        var body = format == ContentFormats.Cbor ? payload.Select(c => (byte)c).ToArray() : Encoding.UTF8.GetBytes(payload);
        var answer = coap.Request(method == "GET" ? CoapCode.Get : CoapCode.Post, [path], options, body)!;
        Assert.Equal(code, answer.Code.ToString());
        Assert.NotEmpty(answer.Payload);
        if (code == "4.00" && payload.Contains("bogus"))
        {
            var diagnostic = Encoding.UTF8.GetString(answer.Payload);
            Assert.Contains("bogus", diagnostic);
            Assert.Contains("events[0].type", diagnostic);
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_unknown_critical_option_or_a_request_in_several_blocks_is_a_4_02_and_an_unknown_elective_one_is_ignored()
    {
        var (_, device) = await NewDeviceAsync();
        using var udp = new UdpChannel(PlainEndPoint);
        var coap = new CoapLink(udp, [$"d={device.Id}", $"p={device.Password}"]);
        Assert.Equal(CoapCode.BadOption, coap.Request(CoapCode.Post, ["x"], [new CoapOption(9, [1])], [])!.Code);
        // Block1 is critical: a request of several blocks is refused, one whole in its single block is taken.
        Assert.Equal(CoapCode.BadOption, coap.Request(CoapCode.Post, ["x"], [new BlockOption(0, true, 6).ToOption(CoapOption.Block1)], [])!.Code);
        Assert.Equal(CoapCode.BadOption, coap.Request(CoapCode.Post, ["x"], [new BlockOption(1, false, 6).ToOption(CoapOption.Block1)], [])!.Code);
        Assert.Equal(CoapCode.Changed, coap.Request(CoapCode.Post, ["x"], [new BlockOption(0, false, 6).ToOption(CoapOption.Block1)], [])!.Code);
        Assert.Equal(CoapCode.Changed, coap.Request(CoapCode.Post, ["x"], [new CoapOption(2048, [1])], [])!.Code);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_download_resumes_at_any_block_and_a_block_beyond_the_end_is_refused()
    {
        var (session, device) = await NewDeviceAsync();
        var content = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        var action = await session.CreateActionAsync(new { device = new { id = device.Id }, type = "getFile", payload = new { file = "data:application/octet-stream;base64," + Convert.ToBase64String(content) } });
        var file = action["payload"]!["file"]!.GetValue<string>();
        await device.WakeAsync();

        using var link = (CoapDeviceLink)DeviceLinks.Open(fixture.Platform.Plain(), device.Id, device.Password);
        using var resumed = new MemoryStream();
        resumed.Write(content.AsSpan(0, 1234));
        var etag = await link.DownloadAsync(file, resumed, 1234);
        Assert.Equal(content, resumed.ToArray());
        Assert.Equal(16, etag.Length);

        var first = link.Coap.Request(CoapCode.Get, ["f", file], [new BlockOption(0, false, 2).ToOption(CoapOption.Block2)], [])!;
        Assert.Equal(CoapCode.Content, first.Code);
        Assert.Equal(5000u, first.First(CoapOption.Size2)!.Value.AsUint());
        Assert.Equal(new BlockOption(0, true, 2), BlockOption.From(first.First(CoapOption.Block2)!.Value));
        Assert.Equal(content[..64], first.Payload);
        var last = link.Coap.Request(CoapCode.Get, ["f", file], [new BlockOption(78, false, 2).ToOption(CoapOption.Block2)], [])!;
        Assert.Equal(content[4992..], last.Payload);
        Assert.False(BlockOption.From(last.First(CoapOption.Block2)!.Value)!.Value.More);
        var beyond = link.Coap.Request(CoapCode.Get, ["f", file], [new BlockOption(79, false, 2).ToOption(CoapOption.Block2)], [])!;
        Assert.Equal(CoapCode.BadOption, beyond.Code);
        var reserved = link.Coap.Request(CoapCode.Get, ["f", file], [CoapOption.Uint(CoapOption.Block2, 7)], [])!;
        Assert.Equal(CoapCode.BadOption, reserved.Code);
    }

    [Fact]
    public async Task Malformed_and_random_datagrams_never_get_a_server_error_and_the_endpoint_keeps_answering()
    {
        var (session, device) = await NewDeviceAsync();
        var good = CoapCodec.Encode(new CoapMessage(
            CoapType.Confirmable, CoapCode.Post, 1, [7], [CoapOption.Text(CoapOption.UriPath, "x"), CoapOption.Uint(CoapOption.ContentFormat, ContentFormats.Cbor), CoapOption.Text(CoapOption.UriQuery, $"d={device.Id}"), CoapOption.Text(CoapOption.UriQuery, $"p={device.Password}")], [0xA1, 0x61, 0x65, 0x80]));
        var random = new Random(20261127);
        using var udp = new UdpChannel(PlainEndPoint);
        var buffer = new byte[65536];
        var answered = 0;
        for (var i = 0; i < 3000; i++)
        {
            byte[] datagram;
            if (i % 2 == 0)
            {
                // A good request with bytes flipped, cut or added: header, options and CBOR payload alike.
                datagram = (byte[])good.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
                }

                datagram = random.Next(4) == 0 ? datagram[..random.Next(1, datagram.Length)] : datagram;
                if (datagram.Length >= 4)
                {
                    datagram[2] = (byte)(i >> 8);
                    datagram[3] = (byte)i;
                }
            }
            else
            {
                datagram = new byte[random.Next(0, 64)];
                random.NextBytes(datagram);
            }

            udp.Send(datagram);
            var length = udp.Receive(buffer, TimeSpan.FromMilliseconds(i % 100 == 0 ? 500 : 2));
            while (length >= 0)
            {
                answered++;
                Assert.True(CoapCodec.TryDecode(buffer.AsSpan(0, length), out var answer, out var error), error);
                Assert.NotEqual(5, answer!.Code.Class);
                length = udp.Receive(buffer, TimeSpan.FromMilliseconds(1));
            }
        }

        Assert.True(answered > 100, $"only {answered} answers");
        using var link = (CoapDeviceLink)DeviceLinks.Open(fixture.Platform.Plain(), device.Id, device.Password);
        Assert.NotNull(await link.ExchangeAsync([]));
        Assert.True(await session.Get($"/v2/devices/{device.Id}/") is { IsSuccessStatusCode: true });
    }

    [Fact]
    public async Task Random_datagrams_at_the_dtls_port_are_dropped_and_sessions_go_on()
    {
        var (session, device) = await NewDeviceAsync();
        var secure = fixture.Platform.Secure();
        using var link = (CoapDeviceLink)DeviceLinks.Open(secure, device.Id, device.Password, cbor: true);
        await link.ExchangeAsync([]);

        var random = new Random(5684);
        using var noise = new UdpChannel(new IPEndPoint(IPAddress.Loopback, secure.Port));
        var buffer = new byte[65536];
        var answers = 0;
        for (var i = 0; i < 3000; i++)
        {
            var datagram = new byte[random.Next(0, 200)];
            random.NextBytes(datagram);
            if (datagram.Length > 13)
            {
                // Records that look like DTLS: a handshake (ClientHello) of epoch 0, or a record with a Connection ID.
                datagram[0] = (byte)(i % 3 == 0 ? 22 : i % 3 == 1 ? 25 : datagram[0]);
                (datagram[1], datagram[2], datagram[3], datagram[4]) = (0xFE, 0xFD, 0, 0);
                datagram[13] = 1;
            }

            noise.Send(datagram);
            if (noise.Receive(buffer, TimeSpan.FromMilliseconds(1)) >= 0)
            {
                answers++;
            }
        }

        // At most HelloVerifyRequests (a cookie costs the sender a round trip, not us a session).
        while (noise.Receive(buffer, TimeSpan.FromMilliseconds(200)) >= 0)
        {
            answers++;
            Assert.Equal(22, buffer[0]);
        }

        await link.ExchangeAsync(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = "still-here" }) });
        Assert.Single(await EventsAsync(session, device.Id));
        using var fresh = DeviceLinks.Open(secure, device.Id, device.Password);
        Assert.NotNull(await fresh.ExchangeAsync([]));
    }

    [Fact]
    public async Task A_device_on_coaps_takes_a_firmware_update_downloads_the_image_block_wise_and_the_deployment_succeeds()
    {
        var (session, device) = await NewDeviceAsync();
        var image = Enumerable.Range(0, 20_000).Select(i => (byte)(i * 11 % 253)).ToArray();
        var firmware = (await Api.FirmwareTests.UploadMultipartAsync(session, image))["id"]!.GetValue<string>();
        var deployment = (await ApiSession.Json(await session.Post("/v2/deployments/", new { devices = new[] { device.Id }, firmware }), HttpStatusCode.Created))["id"]!.GetValue<long>();

        using var link = DeviceLinks.Open(fixture.Platform.Secure(), device.Id, device.Password, cbor: true);
        var wakeup = await new Embever.Actors.Device.SimulatedDevice(link).WakeAsync([]);
        Assert.Equal("_fota", Assert.Single(wakeup.Actions)["type"]!.GetValue<string>());
        Assert.Equal(image.Length, wakeup.Downloaded);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Text.Json.Nodes.JsonNode view;
        do
        {
            view = await ApiSession.Json(await session.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        }
        while (!view["finished"]!.GetValue<bool>() && DateTime.UtcNow < deadline);
        Assert.Equal([device.Id], view["successful"]!.AsArray().Select(d => d!.GetValue<string>()));
    }

    [Fact]
    public void A_sealed_password_opens_for_its_device_only()
    {
        var seal = new Embever.Actors.Security.PasswordSeal(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var sealedBytes = seal.Seal("a1b2c3d4", "the password");
        Assert.Equal("the password", Encoding.UTF8.GetString(seal.Open("a1b2c3d4", sealedBytes)!));
        Assert.Null(seal.Open("zzzzzzzz", sealedBytes));
        sealedBytes[^1] ^= 1;
        Assert.Null(seal.Open("a1b2c3d4", sealedBytes));
        Assert.Null(seal.Open("a1b2c3d4", [1, 2, 3]));
        Assert.NotEqual(seal.Seal("a1b2c3d4", "the password"), seal.Seal("a1b2c3d4", "the password"));
    }

    private static async Task<byte[]> ReceiveAsync(UdpChannel udp)
    {
        var buffer = new byte[65536];
        var length = await Task.Run(() => udp.Receive(buffer, TimeSpan.FromSeconds(10)));
        Assert.True(length > 0, "no answer");
        return buffer[..length];
    }
}
