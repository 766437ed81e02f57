using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>Event and action webhooks delivered to a real receiver on loopback, signed with the secrets.</summary>
public abstract class WebhookTests(PlatformFixture fixture) : IAsyncLifetime
{
    private WebhookReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    /// <summary>An organisation with known secrets and lifespan, and an application to link devices to.</summary>
    private async Task<(string Organisation, string Application, ApiSession Session)> TenantAsync()
    {
        var (organisation, session, _) = await fixture.NewOrganisationAsync();
        await ApiSession.Json(await session.Patch($"/v2/organisations/{organisation}/", new { secret = "org-secret", max_token_lifespan_in_seconds = 120 }), HttpStatusCode.OK);
        var application = (await ApiSession.Json(
            await session.Post("/v2/applications/", new { alias = "hooks", secret = "app-secret" }), HttpStatusCode.Created))["id"]!.GetValue<string>();
        return (organisation, application, session);
    }

    [Fact]
    public async Task Event_webhooks_fire_for_every_hook_of_the_events_type_signed_for_organisation_and_application()
    {
        var (organisation, application, session) = await TenantAsync();
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new
        {
            name = "sensor",
            application,
            webhooks = new object[]
            {
                new { type = "temp", url = receiver.Url("temp-a") },
                new { type = "temp", url = receiver.Url("temp-b"), payload_only = true },
                new { type = "gps", url = receiver.Url("gps") },
            },
        }), HttpStatusCode.Created);
        var device = new DeviceSimulator(fixture.Platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>());

        var exchange = await device.WakeAsync(events: [new { type = "temp", payload = new { celsius = 21.5 } }]);
        var full = Assert.Single(await receiver.WaitForAsync("temp-a", 1));
        var bare = Assert.Single(await receiver.WaitForAsync("temp-b", 1));

        Assert.Equal(exchange.EventIds.Single(), full.Json!["id"]!.GetValue<long>());
        Assert.Equal("temp", full.Json!["type"]!.GetValue<string>());
        Assert.Equal(device.Id, full.Json!["device"]!.GetValue<string>());
        Assert.Equal(21.5, full.Json!["payload"]!["celsius"]!.GetValue<double>());
        Assert.Equal(21.5, bare.Json!["celsius"]!.GetValue<double>());
        Assert.StartsWith("application/json", full.Headers["Content-Type"]);
        Assert.NotEqual(full.Headers["X-Webhook-Delivery"], bare.Headers["X-Webhook-Delivery"]);

        var org = WebhookTokens.Verify(full.Headers["X-Org-Token"], "org-secret");
        Assert.Equal(organisation, org["organisation_id"]!.GetValue<string>());
        Assert.Equal(120, org["exp"]!.GetValue<long>() - org["iat"]!.GetValue<long>());
        var app = WebhookTokens.Verify(full.Headers["X-App-Token"], "app-secret");
        Assert.Equal(application, app["application_id"]!.GetValue<string>());

        await Task.Delay(300);
        Assert.Empty(receiver.At("gps"));
    }

    [Fact]
    public async Task Action_webhooks_fire_once_per_status_reached_and_not_again_for_a_repeated_ack()
    {
        var (_, _, session) = await TenantAsync();
        var device = await DeviceSimulator.CreateAsync(fixture, session, "actor");
        string[] statuses = ["action_sent", "action_delivered", "response_received", "file_transfer_started", "file_transfer_complete", "action_overridden"];
        var hooks = statuses.Select(s => new { status = s, url = receiver.Url(s), payload_only = false }).ToArray();
        var overridden = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "getFile", webhooks = hooks, payload = new { file = "data:text/plain;base64,aGk=" } }))["id"]!.GetValue<long>();
        var id = (await session.CreateActionAsync(new
        {
            device = new { id = device.Id },
            type = "getFile",
            service_level = 2,
            payload = new { file = "data:text/plain;base64,aGVsbG8=" },
            webhooks = hooks.Append(new { status = "response_received", url = receiver.Url("result-only"), payload_only = true }),
        }))["id"]!.GetValue<long>();

        await device.WakeAsync();
        await device.WakeAsync(acks: [id], fileTransfers: [new { action = id, status = "started" }]);
        await device.WakeAsync(acks: [id], fileTransfers: [new { action = id, status = "complete" }], responses: [new { action = id, result = new { bytes = 5 }, result_code = "Success" }]);
        await device.WakeAsync(acks: [id], responses: [new { action = id, result = new { bytes = 5 } }]);

        foreach (var status in statuses)
        {
            var hit = Assert.Single(await receiver.WaitForAsync(status, 1));
            var body = hit.Json!;
            Assert.NotNull(body["status"]![status]);
            Assert.Equal(status == "action_overridden" ? overridden : id, body["id"]!.GetValue<long>());
        }

        var resultOnly = Assert.Single(await receiver.WaitForAsync("result-only", 1));
        Assert.Equal(5, resultOnly.Json!["bytes"]!.GetValue<int>());

        // Nothing more arrives for the repeated ack and response.
        await Task.Delay(1500);
        foreach (var status in statuses)
        {
            Assert.Single(receiver.At(status));
        }

        var deliveries = (await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?action={id}&status=delivered"), HttpStatusCode.OK)).AsArray();
        Assert.Equal(6, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(1, d!["attempts"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_receiver_that_fails_then_recovers_gets_the_delivery_with_every_attempt_recorded()
    {
        var (_, _, session) = await TenantAsync();
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "flaky", webhooks = new[] { new { type = "t", url = receiver.Url("flaky") } } }), HttpStatusCode.Created);
        var device = new DeviceSimulator(fixture.Platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>());
        receiver.Script(500, 500, 500, 500);

        await device.WakeAsync(events: [new { type = "t", payload = new { n = 1 } }]);
        var hits = await receiver.WaitForAsync("flaky", 5);
        Assert.Single(hits.Select(h => h.Headers["X-Webhook-Delivery"]).Distinct());

        var delivery = await Eventually(
            async () => (await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?device={device.Id}"), HttpStatusCode.OK)).AsArray().Single()!,
            d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal("delivered", delivery["status"]!.GetValue<string>());
        Assert.Equal(5, delivery["attempts"]!.GetValue<int>());
        Assert.Equal(receiver.Url("flaky"), delivery["webhook"]!["url"]!.GetValue<string>());
        Assert.NotNull(delivery["delivered_at"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_hold_up_the_device_exchange()
    {
        var (_, _, session) = await TenantAsync();
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "busy", webhooks = new[] { new { type = "t", url = receiver.Url("stuck") } } }), HttpStatusCode.Created);
        var device = new DeviceSimulator(fixture.Platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>());
        receiver.Hold();

        await device.WakeAsync(events: [new { type = "t" }]);
        await receiver.WaitForAsync("stuck", 1);

        // The receiver still holds the first webhook, and the device goes on exchanging.
        for (var i = 0; i < 3; i++)
        {
            var exchange = await device.WakeAsync(events: [new { type = "t" }]);
            Assert.Single(exchange.EventIds);
        }

        var action = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "x" }))["id"]!.GetValue<long>();
        Assert.Equal([action], (await device.WakeAsync()).ActionIds);
        receiver.Release();
    }

    private static async Task<JsonNode> Eventually(Func<Task<JsonNode>> read, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(200);
        }
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class WebhooksOnSqlite(SqlitePlatformFixture fixture) : WebhookTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class WebhooksOnPostgres(PostgresPlatformFixture fixture) : WebhookTests(fixture);
