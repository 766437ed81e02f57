using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>Deliveries that must survive: a silo restart, a receiver that stays down, a forbidden target.</summary>
public abstract class WebhookDeliveryTests(StoreKind kind)
{
    private static async Task<(PlatformInstance Platform, ApiSession Session, DeviceSimulator Device)> StartWithDeviceAsync(
        StoreUnderTest store, string url, params string[] arguments)
    {
        var platform = await PlatformInstance.StartAsync(store, [.. PlatformFixture.FastArguments, .. arguments]);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "hooked", webhooks = new[] { new { type = "t", url } } }), HttpStatusCode.Created);
        return (platform, session, new DeviceSimulator(platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>()));
    }

    private static async Task<JsonNode> WaitForDeliveryAsync(ApiSession session, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var delivery = (await ApiSession.Json(await session.Get("/v2/webhook-deliveries/"), HttpStatusCode.OK)).AsArray().Single()!;
            if (delivery["status"]!.GetValue<string>() == status || DateTime.UtcNow > deadline)
            {
                return delivery;
            }

            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Deliveries_pending_while_the_receiver_is_down_arrive_after_a_silo_restart()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        // A port where nothing listens yet: the receiver is down until the restart.
        var port = FreePorts.Next();
        var url = $"http://127.0.0.1:{port}/down";

        var (first, session, device) = await StartWithDeviceAsync(store, url);
        var events = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            events.AddRange((await device.WakeAsync(events: [new { type = "t", payload = new { i } }])).EventIds);
        }

        var access = session.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        await Task.Delay(1000);
        await first.StopAsync();

        await using var receiver = await WebhookReceiver.StartAsync(port);
        await using var second = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments);
        var received = await receiver.WaitForAsync("down", 3);
        Assert.Equal(events.Order(), received.Select(r => r.Json!["id"]!.GetValue<long>()).Distinct().Order());

        var http = second.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
        var deliveries = (await ApiSession.Json(await http.GetAsync("/v2/webhook-deliveries/"), HttpStatusCode.OK)).AsArray();
        Assert.Equal(3, deliveries.Count);
        Assert.All(deliveries, d => Assert.True(d!["attempts"]!.GetValue<int>() >= 2));
    }

    [Fact]
    public async Task A_delivery_that_fails_past_its_horizon_is_kept_as_failed_and_can_be_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.DefaultStatus = 503;
        var (platform, session, device) = await StartWithDeviceAsync(
            await StoreUnderTest.CreateAsync(kind), receiver.Url("gone"), "--Embever:Webhooks:Horizon=00:00:02", "--Embever:Webhooks:TransientRetries=0");
        await using var _ = platform;
        await device.WakeAsync(events: [new { type = "t" }]);

        var failed = await WaitForDeliveryAsync(session, "failed");
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal(503, failed["last_status_code"]!.GetValue<int>());
        Assert.Contains("503", failed["last_error"]!.GetValue<string>());
        var attempts = failed["attempts"]!.GetValue<int>();
        Assert.True(attempts >= 2);
        Assert.Null(failed["next_attempt_at"]);

        receiver.DefaultStatus = 200;
        var id = failed["id"]!.GetValue<long>();
        var retried = await ApiSession.Json(await session.Post($"/v2/webhook-deliveries/{id}/retry/", new { }), HttpStatusCode.OK);
        Assert.Equal("pending", retried["status"]!.GetValue<string>());
        var delivered = await WaitForDeliveryAsync(session, "delivered");
        Assert.Equal(attempts + 1, delivered["attempts"]!.GetValue<int>());
        await ApiSession.Problem(await session.Post($"/v2/webhook-deliveries/{id}/retry/", new { }), HttpStatusCode.Conflict);
        await ApiSession.Problem(await session.Post("/v2/webhook-deliveries/987654/retry/", new { }), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1:9/")]
    [InlineData("http://0.0.0.0:9/")]
    [InlineData("http://[::]:9/")]
    [InlineData("http://[64:ff9b::a00:1]:9/")]
    public async Task The_embedded_default_refuses_internal_and_unusable_targets_at_once_rather_than_retrying_them(string url)
    {
        // The embedded default's own settings: this host allowed, nothing else internal.
        var (platform, session, device) = await StartWithDeviceAsync(
            await StoreUnderTest.CreateAsync(kind), url, "--Embever:Webhooks:AllowPrivateNetworks=false");
        await using var _ = platform;
        await device.WakeAsync(events: [new { type = "t" }]);

        var failed = await WaitForDeliveryAsync(session, "failed");
        Assert.True(failed["status"]!.GetValue<string>() == "failed", failed.ToJsonString());
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
        Assert.Null(failed["last_status_code"]);
        Assert.Contains("may not reach", failed["last_error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Loopback_and_private_targets_are_refused_unless_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (platform, session, device) = await StartWithDeviceAsync(
            await StoreUnderTest.CreateAsync(kind), receiver.Url("internal"), "--Embever:Webhooks:AllowPrivateNetworks=false", "--Embever:Webhooks:AllowLoopback=false");
        await using var _ = platform;
        await device.WakeAsync(events: [new { type = "t" }]);

        var failed = await WaitForDeliveryAsync(session, "failed");
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("private", failed["last_error"]!.GetValue<string>());
        Assert.Empty(receiver.Received);
    }
}

public sealed class WebhookDeliveryOnSqlite() : WebhookDeliveryTests(StoreKind.Sqlite);

public sealed class WebhookDeliveryOnPostgres() : WebhookDeliveryTests(StoreKind.PostgreSql);
