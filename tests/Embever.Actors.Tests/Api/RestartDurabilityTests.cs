using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>Stop the platform and start it again on the same store: everything accepted is still there.</summary>
public abstract class RestartDurabilityTests(StoreKind kind)
{
    [Fact]
    public async Task Objects_tokens_and_keys_survive_a_stop_and_start()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        var first = await PlatformInstance.StartAsync(store);
        var organisationToken = first.ReadTokenFile("org-token");
        var session = await ApiSession.AuthenticateAsync(first, organisationToken);
        var application = (await session.CreateApplicationAsync("durable"))["id"]!.GetValue<string>();
        var device = await session.CreateDeviceAsync("durable-device", application);
        var deviceId = device["id"]!.GetValue<string>();
        await ApiSession.Json(await session.Patch($"/v2/devices/{deviceId}/", new { activated = true }), HttpStatusCode.OK);
        var extraToken = (await ApiSession.Json(await session.Post("/v2/tokens/", new { alias = "durable", application }), HttpStatusCode.Created))["token"]!.GetValue<string>();
        var oldAccess = session.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        await first.StopAsync();

        await using var second = await PlatformInstance.StartAsync(store);
        Assert.Equal(organisationToken, second.ReadTokenFile("org-token"));

        // The same signing key: an access token issued before the restart is still honoured.
        var http = second.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", oldAccess);
        var after = new ApiSession(http);
        var detail = await ApiSession.Json(await after.Get($"/v2/devices/{deviceId}/"), HttpStatusCode.OK);
        Assert.Equal("durable-device", detail["name"]!.GetValue<string>());
        Assert.True(detail["activated"]!.GetValue<bool>());
        Assert.Equal(application, detail["application"]!.GetValue<string>());
        var listed = (await ApiSession.Json(await after.Get("/v2/devices/?activated=true"), HttpStatusCode.OK)).AsArray();
        Assert.Equal([deviceId], listed.Select(d => d!["id"]!.GetValue<string>()));
        await ApiSession.Json(await after.Get($"/v2/applications/{application}/"), HttpStatusCode.OK);

        var scoped = await ApiSession.AuthenticateAsync(second, extraToken);
        await ApiSession.Json(await scoped.Get($"/v2/devices/{deviceId}/"), HttpStatusCode.OK);
        await ApiSession.AuthenticateAsync(second, organisationToken);
        await ApiSession.AuthenticateAsync(second, second.ReadTokenFile("operator-token"));

        // Names stay claimed and ids keep counting up across the restart.
        await ApiSession.Problem(await after.Post("/v2/devices/", new { name = "durable-device" }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_far_expiry_is_refused_and_one_a_century_ahead_keeps_its_device_working_across_a_restart()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        var first = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments);
        var session = await ApiSession.AuthenticateAsync(first, first.ReadTokenFile("org-token"));
        var device = await DeviceSimulator.CreateAsync(first, session, "patient");

        // .NET's DateTime.MaxValue, a natural "never": refused, and nothing is stored.
        var refused = await ApiSession.Problem(
            await session.Post("/v2/actions/", new { device = new { id = device.Id }, type = "never", expiry_date = "9999-12-31T23:59:59.9999999Z" }), HttpStatusCode.BadRequest);
        Assert.NotNull(refused["errors"]!["expiry_date"]);
        Assert.Empty((await ApiSession.Json(await session.Get($"/v2/actions/?device={device.Id}"), HttpStatusCode.OK)).AsArray());

        var far = DateTime.UtcNow.AddYears(99);
        var kept = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "someday", expiry_date = far.ToString("O") }))["id"]!.GetValue<long>();
        await first.StopAsync();

        await using var second = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments);
        var after = await ApiSession.AuthenticateAsync(second, second.ReadTokenFile("org-token"));
        var again = new DeviceSimulator(second, device.Id, device.Password);
        Assert.Equal([kept], (await again.WakeAsync()).ActionIds);
        Assert.False((await after.GetActionAsync(kept))["expired"]!.GetValue<bool>());
        await ApiSession.Json(await after.Get($"/v2/devices/{device.Id}/"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_in_flight_action_and_a_pending_expiry_survive_a_stop_and_start()
    {
        const string fastReminders = "--Embever:MinimumReminderPeriod=00:00:01";
        var store = await StoreUnderTest.CreateAsync(kind);
        var first = await PlatformInstance.StartAsync(store, fastReminders);
        var session = await ApiSession.AuthenticateAsync(first, first.ReadTokenFile("org-token"));
        var device = await DeviceSimulator.CreateAsync(first, session, "sleepy");
        var inFlight = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "locate", service_level = 2 }))["id"]!.GetValue<long>();
        Assert.Equal([inFlight], (await device.WakeAsync()).ActionIds);
        var waiting = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "locate", service_level = 2 }))["id"]!.GetValue<long>();
        var expiry = DateTime.UtcNow.AddSeconds(3);
        var expiring = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "ephemeral", expiry_date = expiry.ToString("O") }))["id"]!.GetValue<long>();
        var access = session.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        await first.StopAsync();

        // The expiry passes while no silo runs; the reminder fires once one is back.
        await Task.Delay(expiry - DateTime.UtcNow + TimeSpan.FromSeconds(1));
        await using var second = await PlatformInstance.StartAsync(store, fastReminders);
        var http = second.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        var after = new ApiSession(http);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await after.GetActionAsync(expiring))["expired"]!.GetValue<bool>() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        var expired = await after.GetActionAsync(expiring);
        Assert.True(expired["expired"]!.GetValue<bool>());
        Assert.Null(expired["status"]!["action_sent"]);

        // The in-flight action is sent again, still blocks its type, and finishes once.
        var resumed = new DeviceSimulator(second, device.Id, device.Password);
        Assert.Equal([inFlight], (await resumed.WakeAsync()).ActionIds);
        Assert.Equal([waiting], (await resumed.WakeAsync(responses: [new { action = inFlight, result = new { at = "home" } }])).ActionIds);
        var finished = await after.GetActionAsync(inFlight);
        Assert.True(finished["finished"]!.GetValue<bool>());
        Assert.Equal(2, finished["send_count"]!.GetValue<int>());
        Assert.Equal("home", finished["result"]!["at"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deployment_in_progress_survives_a_stop_and_start()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        var first = await PlatformInstance.StartAsync(store);
        var session = await ApiSession.AuthenticateAsync(first, first.ReadTokenFile("org-token"));
        var firmware = (await FirmwareTests.UploadMultipartAsync(session, [1, 2, 3, 4]))["id"]!.GetValue<string>();
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < 3; i++)
        {
            devices.Add(await DeviceSimulator.CreateAsync(first, session, $"rollout-{i}"));
        }

        var deployment = (await ApiSession.Json(
            await session.Post("/v2/deployments/", new { devices = devices.Select(d => d.Id), firmware }), HttpStatusCode.Created))["id"]!.GetValue<long>();
        var action = Assert.Single((await devices[0].WakeAsync()).Actions)["id"]!.GetValue<long>();
        await devices[0].WakeAsync(responses: [new { action, result = new { }, result_code = "Success" }]);
        await devices[1].WakeAsync();
        var access = session.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        await first.StopAsync();

        await using var second = await PlatformInstance.StartAsync(store);
        var http = second.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        var after = new ApiSession(http);
        var resumed = await ApiSession.Json(await after.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        Assert.Equal([devices[0].Id], resumed["successful"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal([devices[1].Id], resumed["pending"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.False(resumed["finished"]!.GetValue<bool>());

        foreach (var device in devices.Skip(1).Select(d => new DeviceSimulator(second, d.Id, d.Password)))
        {
            var fota = Assert.Single((await device.WakeAsync()).Actions)["id"]!.GetValue<long>();
            await device.WakeAsync(responses: [new { action = fota, result = new { }, result_code = "Success" }]);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonNode finished;
        do
        {
            finished = await ApiSession.Json(await after.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        }
        while (!finished["finished"]!.GetValue<bool>() && DateTime.UtcNow < deadline);
        Assert.Equal(3, finished["successful"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_staged_rollout_goes_on_after_a_stop_and_start_where_it_stood()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        var first = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments);
        var session = await ApiSession.AuthenticateAsync(first, first.ReadTokenFile("org-token"));
        var firmware = (await FirmwareTests.UploadMultipartAsync(session, [1, 2, 3, 4]))["id"]!.GetValue<string>();
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < 4; i++)
        {
            devices.Add(await DeviceSimulator.CreateAsync(first, session, $"staged-{i}"));
        }

        // Groups of 1, 2 and the last 1; the first device succeeds, then the platform stops.
        var deployment = (await ApiSession.Json(
            await session.Post("/v2/deployments/", new { devices = devices.Select(d => d.Id), firmware, rollout = new { groups = new[] { 1, 2 } } }), HttpStatusCode.Created))["id"]!.GetValue<long>();
        var action = Assert.Single((await devices[0].WakeAsync()).Actions)["id"]!.GetValue<long>();
        await devices[0].WakeAsync(responses: [new { action, result = new { }, result_code = "Success" }]);
        JsonNode stood;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            stood = await ApiSession.Json(await session.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        }
        while (stood["groups"]![1]!["started_at"] is null && DateTime.UtcNow < deadline);
        Assert.NotNull(stood["groups"]![1]!["started_at"]);
        var access = session.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        await first.StopAsync();

        await using var second = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments);
        var http = second.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        var after = new ApiSession(http);
        var resumed = await ApiSession.Json(await after.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        Assert.Equal("running", resumed["status"]!.GetValue<string>());
        Assert.Equal(stood["groups"]!.ToJsonString(), resumed["groups"]!.ToJsonString());

        // Group 2 has its actions, group 3 waits for them to succeed, then gets its own.
        var later = devices.Select(d => new DeviceSimulator(second, d.Id, d.Password)).ToList();
        Assert.Empty((await later[3].WakeAsync()).Actions);
        foreach (var device in later.Skip(1).Take(2))
        {
            var fota = Assert.Single((await device.WakeAsync()).Actions)["id"]!.GetValue<long>();
            await device.WakeAsync(responses: [new { action = fota, result = new { }, result_code = "Success" }]);
        }

        deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<JsonNode> last;
        do
        {
            await Task.Delay(100);
            last = (await later[3].WakeAsync()).Actions;
        }
        while (last.Count == 0 && DateTime.UtcNow < deadline);
        var final = Assert.Single(last)["id"]!.GetValue<long>();
        await later[3].WakeAsync(responses: [new { action = final, result = new { }, result_code = "Success" }]);

        JsonNode done;
        deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            done = await ApiSession.Json(await after.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK);
        }
        while (done["status"]!.GetValue<string>() != "completed" && DateTime.UtcNow < deadline);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(4, done["successful"]!.AsArray().Count);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task First_start_writes_token_files_readable_only_by_the_owner()
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        await using var platform = await PlatformInstance.StartAsync(store);
        foreach (var name in new[] { "operator-token", "org-token" })
        {
            var mode = File.GetUnixFileMode(Path.Combine(store.DataDirectory, name));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }
    }
}

public sealed class RestartDurabilityOnSqlite() : RestartDurabilityTests(StoreKind.Sqlite);

public sealed class RestartDurabilityOnPostgres() : RestartDurabilityTests(StoreKind.PostgreSql);
