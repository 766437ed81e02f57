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

    [Fact]
    public async Task A_receiver_that_hangs_does_not_delay_deliveries_to_one_that_answers()
    {
        var (_, _, session) = await TenantAsync();
        await using var good = await WebhookReceiver.StartAsync();
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new
        {
            name = "two-backends",
            webhooks = new[] { new { type = "t", url = receiver.Url("hangs") }, new { type = "t", url = good.Url("answers") } },
        }), HttpStatusCode.Created);
        var device = new DeviceSimulator(fixture.Platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>());
        receiver.Hold();

        // 60 events: more deliveries to the hanging receiver than it may have in flight, and as
        // many to the good one, which must get each as soon as it fired.
        var sent = new List<DateTime>();
        for (var i = 0; i < 15; i++)
        {
            sent.Add(DateTime.UtcNow);
            await device.WakeAsync(events: Enumerable.Range(0, 4).Select(n => (object)new { type = "t", payload = new { n = (i * 4) + n } }).ToArray());
        }

        var answered = await good.WaitForAsync("answers", 60, TimeSpan.FromSeconds(10));
        var latest = answered.Max(a => a.At) - sent[^1];
        Assert.True(latest < TimeSpan.FromSeconds(1.5), $"the last delivery to the good receiver came {latest.TotalMilliseconds:N0} ms after its event");
        Assert.True(receiver.At("hangs").Count >= 1);

        // The hanging receiver's deliveries are kept, pending, for later (the good one's outcomes are recorded in batches, soon).
        var deliveries = (await Eventually(
            async () => await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?device={device.Id}&status=pending&limit=100"), HttpStatusCode.OK),
            d => d.AsArray().Count == 60)).AsArray();
        Assert.Equal(60, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(receiver.Url("hangs"), d!["webhook"]!["url"]!.GetValue<string>()));
        receiver.Release();
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_left_alone_while_its_circuit_is_open_and_gets_everything_when_it_recovers()
    {
        var (_, _, session) = await TenantAsync();
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "down", webhooks = new[] { new { type = "t", url = receiver.Url("down") } } }), HttpStatusCode.Created);
        var device = new DeviceSimulator(fixture.Platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>());
        receiver.DefaultStatus = 503;

        for (var i = 0; i < 5; i++)
        {
            await device.WakeAsync(events: [new { type = "t", payload = new { n = i } }]);
        }

        // Every first attempt fails (3 requests each: 2 quick retries); the circuit opens after
        // 5 failed attempts, and from then on only a probe now and then reaches the receiver.
        await receiver.WaitForAsync("down", 15);
        var deferred = await Eventually(
            async () => await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?device={device.Id}&status=pending"), HttpStatusCode.OK),
            d => d.AsArray().Any(x => x!["last_error"]?.GetValue<string>() == "receiver failing: circuit open"));
        Assert.Contains(deferred.AsArray(), d => d!["last_error"]?.GetValue<string>() == "receiver failing: circuit open");
        var before = receiver.At("down").Count;
        await Task.Delay(TimeSpan.FromSeconds(4));

        // Without the circuit, 5 deliveries retried every 0.5-2 s would have sent ~30 requests.
        Assert.InRange(receiver.At("down").Count - before, 0, 9);
        var states = (await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?device={device.Id}"), HttpStatusCode.OK)).AsArray();
        Assert.All(states, d => Assert.Equal("pending", d!["status"]!.GetValue<string>()));

        receiver.DefaultStatus = 200;
        var delivered = await Eventually(
            async () => await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?device={device.Id}&status=delivered"), HttpStatusCode.OK),
            d => d.AsArray().Count == 5);
        Assert.Equal(5, delivered.AsArray().Count);
    }

    [Fact]
    public async Task A_changed_secret_signs_the_next_webhook()
    {
        var (organisation, application, session) = await TenantAsync();
        var created = await ApiSession.Json(await session.Post("/v2/devices/", new { name = "rotating", application, webhooks = new[] { new { type = "t", url = receiver.Url("rotating") } } }), HttpStatusCode.Created);
        var device = new DeviceSimulator(fixture.Platform, created["id"]!.GetValue<string>(), created["password"]!.GetValue<string>());
        await device.WakeAsync(events: [new { type = "t" }]);
        var first = Assert.Single(await receiver.WaitForAsync("rotating", 1));
        WebhookTokens.Verify(first.Headers["X-Org-Token"], "org-secret");
        WebhookTokens.Verify(first.Headers["X-App-Token"], "app-secret");

        await ApiSession.Json(await session.Patch($"/v2/organisations/{organisation}/", new { secret = "org-secret-2" }), HttpStatusCode.OK);
        await ApiSession.Json(await session.Patch($"/v2/applications/{application}/", new { secret = "app-secret-2" }), HttpStatusCode.OK);
        await device.WakeAsync(events: [new { type = "t" }]);
        var second = (await receiver.WaitForAsync("rotating", 2))[1];
        WebhookTokens.Verify(second.Headers["X-Org-Token"], "org-secret-2");
        WebhookTokens.Verify(second.Headers["X-App-Token"], "app-secret-2");
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
