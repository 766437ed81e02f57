using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Coap;

/// <summary>
/// The CoAP gateway driven by libcoap's <c>coap-client-openssl</c>, a client nobody here wrote:
/// an exchange over <c>coaps</c> with the device id and password as PSK, the same over plain
/// <c>coap</c> with the credentials in Uri-Query, a block-wise download, and handshakes refused.
/// </summary>
public abstract class LibcoapClientTests(PlatformFixture fixture)
{
    private async Task<(ApiSession Session, DeviceSimulator Device)> NewDeviceAsync()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        return (session, await DeviceSimulator.CreateAsync(fixture, session, "coap-device"));
    }

    private string Secure => fixture.Platform.Secure().ToString().TrimEnd('/');

    [Fact]
    public async Task Over_coaps_with_its_psk_a_device_receives_a_buffered_action_acknowledges_it_and_sends_an_event()
    {
        var (session, device) = await NewDeviceAsync();
        var action = await session.CreateActionAsync(new { device = new { id = device.Id }, type = "setSettings", payload = new { interval = 60 }, service_level = 1 });
        var id = action["id"]!.GetValue<long>();

        var first = await CoapCli.RunAsync("-m", "post", "-u", device.Id, "-k", device.Password, $"{Secure}/x");
        Assert.Equal("", first.Error);
        var sent = JsonNode.Parse(first.Text)!["actions"]!.AsArray().Single()!;
        Assert.Equal(id, sent["id"]!.GetValue<long>());
        Assert.Equal(60, sent["payload"]!["interval"]!.GetValue<int>());

        var second = await CoapCli.RunAsync(
            "-m", "post", "-t", "json", "-u", device.Id, "-k", device.Password,
            "-e", $$$"""{"acks": [{{{id}}}], "events": [{"type": "temp", "payload": {"celsius": 21.5}}]}""", $"{Secure}/x");
        Assert.Equal("", second.Error);
        var answer = JsonNode.Parse(second.Text)!;
        Assert.Empty(answer["actions"]!.AsArray());
        var eventId = answer["events"]!.AsArray().Single()!.GetValue<long>();

        var stored = await session.GetActionAsync(id);
        Assert.NotNull(stored["status"]!["action_delivered"]);
        var events = await ApiSession.Json(await session.Get($"/v2/events/?device={device.Id}"), System.Net.HttpStatusCode.OK);
        var storedEvent = events.AsArray().Single()!;
        Assert.Equal(eventId, storedEvent["id"]!.GetValue<long>());
        Assert.Equal(21.5, storedEvent["payload"]!["celsius"]!.GetValue<double>());
    }

    [Fact]
    public async Task Over_plain_coap_the_credentials_ride_in_the_query_and_wrong_ones_get_4_01()
    {
        var (session, device) = await NewDeviceAsync();
        var id = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "reboot", service_level = 2 }))["id"]!.GetValue<long>();
        var plain = fixture.Platform.Plain().ToString().TrimEnd('/');

        var first = await CoapCli.RunAsync("-m", "post", "-t", "json", "-e", "{}", $"{plain}/x?d={device.Id}&p={device.Password}");
        Assert.Equal("", first.Error);
        Assert.Equal(id, JsonNode.Parse(first.Text)!["actions"]![0]!["id"]!.GetValue<long>());

        var answered = await CoapCli.RunAsync(
            "-m", "post", "-t", "json", "-e", $$$"""{"acks": [{{{id}}}], "responses": [{"action": {{{id}}}, "result": {"rebooted": true}}]}""", $"{plain}/x?d={device.Id}&p={device.Password}");
        Assert.Equal("", answered.Error);
        Assert.True((await session.GetActionAsync(id))["finished"]!.GetValue<bool>());

        var refused = await CoapCli.RunAsync("-m", "post", "-e", "", $"{plain}/x?d={device.Id}&p=wrong");
        Assert.StartsWith("4.01", refused.Error);
        Assert.Empty(refused.Payload);
        var anonymous = await CoapCli.RunAsync("-m", "post", "-e", "", $"{plain}/x");
        Assert.StartsWith("4.01", anonymous.Error);
    }

    [Fact]
    public async Task A_45_KB_file_downloads_block_wise_and_its_sha256_matches()
    {
        var (session, device) = await NewDeviceAsync();
        // 45 KB: a getFile's file travels in its action's payload (base64), within the 64 KiB payload limit.
        var content = RandomNumberGenerator.GetBytes(45 * 1024);
        var action = await session.CreateActionAsync(new
        {
            device = new { id = device.Id },
            type = "getFile",
            service_level = 2,
            payload = new { file = "data:application/octet-stream;base64," + Convert.ToBase64String(content) },
        });
        var file = action["payload"]!["file"]!.GetValue<string>();
        Assert.Single((await device.WakeAsync()).Actions);

        foreach (var size in new[] { "1024", "256" })
        {
            var download = await CoapCli.RunAsync("-m", "get", "-b", size, "-u", device.Id, "-k", device.Password, $"{Secure}/f/{file}");
            Assert.Equal("", download.Error);
            Assert.Equal(content.Length, download.Payload.Length);
            Assert.Equal(SHA256.HashData(content), SHA256.HashData(download.Payload));
        }

        var missing = await CoapCli.RunAsync("-m", "get", "-u", device.Id, "-k", device.Password, $"{Secure}/f/AAAAAAAA");
        Assert.StartsWith("4.04", missing.Error);
    }

    [Fact]
    public async Task A_16_KB_action_reaches_a_coaps_device_block_wise_is_acknowledged_once_and_never_sent_again()
    {
        var (session, device) = await NewDeviceAsync();
        var blob = string.Concat(Enumerable.Range(0, 16 * 1024 / 8).Select(i => i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)));
        var id = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "setConfig", payload = new { blob }, service_level = 1 }))["id"]!.GetValue<long>();

        var first = await CoapCli.RunAsync("-m", "post", "-b", "1024", "-u", device.Id, "-k", device.Password, $"{Secure}/x");
        Assert.Equal("", first.Error);
        var sent = JsonNode.Parse(first.Text)!["actions"]!.AsArray().Single()!;
        Assert.Equal(id, sent["id"]!.GetValue<long>());
        Assert.Equal(blob, sent["payload"]!["blob"]!.GetValue<string>());

        var acknowledged = await CoapCli.RunAsync("-m", "post", "-b", "1024", "-t", "json", "-e", $$$"""{"acks": [{{{id}}}]}""", "-u", device.Id, "-k", device.Password, $"{Secure}/x");
        Assert.Equal("", acknowledged.Error);
        Assert.Empty(JsonNode.Parse(acknowledged.Text)!["actions"]!.AsArray());
        Assert.NotNull((await session.GetActionAsync(id))["status"]!["action_delivered"]);

        var after = await CoapCli.RunAsync("-m", "post", "-u", device.Id, "-k", device.Password, $"{Secure}/x");
        Assert.Empty(JsonNode.Parse(after.Text)!["actions"]!.AsArray());
    }

    [Fact]
    public async Task A_wrong_psk_or_an_unknown_identity_is_refused_at_the_handshake_and_changes_nothing()
    {
        var (session, device) = await NewDeviceAsync();
        var id = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "reboot", service_level = 1 }))["id"]!.GetValue<long>();
        const string wakeup = """{"events": [{"type": "intruder"}]}""";

        var wrongKey = await CoapCli.RunAsync("-v", "3", "-B", "4", "-m", "post", "-t", "json", "-e", wakeup, "-u", device.Id, "-k", "not-the-password", $"{Secure}/x");
        var unknown = await CoapCli.RunAsync("-v", "3", "-B", "4", "-m", "post", "-t", "json", "-e", wakeup, "-u", "NoSuchId", "-k", device.Password, $"{Secure}/x");
        foreach (var refused in new[] { wrongKey, unknown })
        {
            Assert.Empty(refused.Payload);
            Assert.Equal("", refused.Error);
            Assert.Contains("cannot send CoAP pdu", refused.Log, StringComparison.Ordinal);
        }

        var stored = await session.GetActionAsync(id);
        Assert.Empty(stored["status"]!.AsObject());
        var events = await ApiSession.Json(await session.Get($"/v2/events/?device={device.Id}"), System.Net.HttpStatusCode.OK);
        Assert.Empty(events.AsArray());
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class LibcoapClientOnSqlite(SqlitePlatformFixture fixture) : LibcoapClientTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class LibcoapClientOnPostgres(PostgresPlatformFixture fixture) : LibcoapClientTests(fixture);
