using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Embever.Actors.Tests.Api;

/// <summary>Firmware upload and deployments, with simulated devices downloading and answering.</summary>
public abstract class FirmwareTests(PlatformFixture fixture)
{
    private static byte[] Image(int size, int seed) => Enumerable.Range(0, size).Select(i => (byte)((i * seed) % 251)).ToArray();

    internal static async Task<JsonNode> UploadMultipartAsync(ApiSession session, byte[] image, string version = "1.0", string dest = "APP", string? predecessor = null)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(version), "version" },
            { new StringContent($"fw-{version}"), "alias" },
            { new StringContent(dest), "dest" },
            { new StringContent("test image"), "description" },
        };
        if (predecessor is not null)
        {
            form.Add(new StringContent(predecessor), "predecessor");
        }

        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "image.bin");
        return await ApiSession.Json(await session.Http.PostAsync("/v2/firmwares/", form), HttpStatusCode.Created);
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

            await Task.Delay(100);
        }
    }

    private static string[] Strings(JsonNode node) => node.AsArray().Select(n => n!.GetValue<string>()).Order().ToArray();

    [Fact]
    public async Task Firmware_uploads_by_multipart_or_data_uri_record_size_and_sha256_and_store_the_bytes_once()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var image = Image(300_000, 7);
        var sha = Convert.ToHexStringLower(SHA256.HashData(image));
        var first = await UploadMultipartAsync(session, image, "1.0", "EBV");
        Assert.Equal(300_000, first["size"]!.GetValue<long>());
        Assert.Equal(sha, first["sha256"]!.GetValue<string>());
        Assert.Equal("EBV", first["dest"]!.GetValue<string>());
        Assert.Null(first["predecessor"]);

        var second = await ApiSession.Json(await session.Post("/v2/firmwares/", new
        {
            version = "1.1", alias = "again", dest = "APP", predecessor = first["id"]!.GetValue<string>(),
            file = "data:application/octet-stream;base64," + Convert.ToBase64String(image),
        }), HttpStatusCode.Created);
        Assert.Equal(sha, second["sha256"]!.GetValue<string>());
        Assert.Equal(first["id"]!.GetValue<string>(), second["predecessor"]!.GetValue<string>());

        var database = fixture.Platform.Services.GetRequiredService<Database>();
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM blobs WHERE sha256 = @sha", p => p.Add("sha", sha)));
        var listed = (await ApiSession.Json(await session.Get("/v2/firmwares/"), HttpStatusCode.OK)).AsArray();
        Assert.Equal(2, listed.Count);
        await ApiSession.Json(await session.Get($"/v2/firmwares/{first["id"]}/"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Invalid_firmware_uploads_are_400_and_store_nothing()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var cases = new (object Body, string Field)[]
        {
            (new { alias = "a", dest = "APP", file = "data:application/octet-stream;base64,AAEC" }, "version"),
            (new { version = "1", alias = "a", dest = "XYZ", file = "data:application/octet-stream;base64,AAEC" }, "dest"),
            (new { version = "1", alias = "a", dest = "APP" }, "file"),
            (new { version = "1", alias = "a", dest = "APP", file = "not a data uri" }, "file"),
            (new { version = "1", alias = "a", dest = "APP", file = "data:application/octet-stream;base64,AAEC", predecessor = "NoSuchFw" }, "predecessor"),
        };
        foreach (var (body, field) in cases)
        {
            var problem = await ApiSession.Problem(await session.Post("/v2/firmwares/", body), HttpStatusCode.BadRequest);
            Assert.NotNull(problem["errors"]![field]);
        }

        Assert.Empty((await ApiSession.Json(await session.Get("/v2/firmwares/"), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task A_deployment_updates_devices_that_download_resuming_and_answer_and_its_lists_follow()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var image = Image(600_000, 13);
        var firmware = await UploadMultipartAsync(session, image, "2.0");
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < 6; i++)
        {
            devices.Add(await DeviceSimulator.CreateAsync(fixture, session, $"fleet-{i}"));
        }

        var created = await ApiSession.Json(
            await session.Post("/v2/deployments/", new { devices = devices.Select(d => d.Id), firmware = firmware["id"]!.GetValue<string>() }), HttpStatusCode.Created);
        var deployment = created["id"]!.GetValue<long>();
        Assert.Equal(devices.Select(d => d.Id).Order(), Strings(created["devices"]!));
        Assert.Empty(created["pending"]!.AsArray());
        Assert.False(created["finished"]!.GetValue<bool>());
        var updates = (await ApiSession.Json(await session.Get($"/v2/updates/?deployment={deployment}"), HttpStatusCode.OK)).AsArray();
        Assert.Equal(6, updates.Count);

        // Every device gets its _fota action and downloads the image, resuming half-way.
        var fota = new Dictionary<string, long>();
        foreach (var device in devices)
        {
            var action = Assert.Single((await device.WakeAsync()).Actions);
            Assert.Equal("_fota", action["type"]!.GetValue<string>());
            Assert.Equal(2, action["service_level"]!.GetValue<int>());
            var payload = action["payload"]!;
            Assert.Equal(firmware["id"]!.GetValue<string>(), payload["firmware"]!.GetValue<string>());
            Assert.Equal(600_000, payload["size"]!.GetValue<long>());
            Assert.Equal(firmware["sha256"]!.GetValue<string>(), payload["sha256"]!.GetValue<string>());
            fota[device.Id] = action["id"]!.GetValue<long>();

            var url = payload["url"]!.GetValue<string>();
            var fileId = url[(url.LastIndexOf('/') + 1)..];
            var head = await (await device.DownloadAsync(fileId, 0, 299_999)).Content.ReadAsByteArrayAsync();
            var tail = await device.DownloadAsync(fileId, 300_000);
            Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
            Assert.Equal(image, head.Concat(await tail.Content.ReadAsByteArrayAsync()).ToArray());
        }

        var pending = await Eventually(async () => await ApiSession.Json(await session.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK), d => d["pending"]!.AsArray().Count == 6);
        Assert.Equal(6, pending["pending"]!.AsArray().Count);

        // Four succeed, two fail.
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i];
            var ok = i < 4;
            await device.WakeAsync(
                acks: [fota[device.Id]],
                fileTransfers: [new { action = fota[device.Id], status = "complete" }],
                responses: [new { action = fota[device.Id], result = new { status = ok ? 200 : 500 }, result_code = ok ? "Success" : "Failure" }]);
        }

        var done = await Eventually(async () => await ApiSession.Json(await session.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK), d => d["finished"]!.GetValue<bool>());
        Assert.True(done["finished"]!.GetValue<bool>());
        Assert.Equal(devices.Take(4).Select(d => d.Id).Order(), Strings(done["successful"]!));
        Assert.Equal(devices.Skip(4).Select(d => d.Id).Order(), Strings(done["failed"]!));
        Assert.Empty(done["pending"]!.AsArray());

        var update = (await ApiSession.Json(await session.Get($"/v2/updates/?device={devices[0].Id}"), HttpStatusCode.OK)).AsArray().Single()!;
        Assert.True(update["finished"]!.GetValue<bool>());
        Assert.Equal("Success", update["result_code"]!.GetValue<string>());
        Assert.Equal(200, update["result"]!["status"]!.GetValue<int>());
        Assert.NotNull(update["status"]!["action_sent"]);
        Assert.NotNull(update["status"]!["file_transfer_complete"]);
        Assert.NotNull(update["status"]!["response_received"]);
        Assert.Equal(deployment, update["deployment"]!.GetValue<long>());
        var failed = await ApiSession.Json(await session.Get($"/v2/updates/{(await ApiSession.Json(await session.Get($"/v2/updates/?device={devices[5].Id}"), HttpStatusCode.OK)).AsArray().Single()!["id"]}/"), HttpStatusCode.OK);
        Assert.Equal("Failure", failed["result_code"]!.GetValue<string>());

        var listed = (await Eventually(
            async () => await ApiSession.Json(await session.Get("/v2/deployments/"), HttpStatusCode.OK),
            l => l.AsArray().Single()!["finished"]!.GetValue<bool>())).AsArray();
        Assert.True(listed.Single()!["finished"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_staged_rollout_sends_its_first_group_shows_its_groups_and_pauses_and_resumes()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var firmware = (await UploadMultipartAsync(session, Image(1000, 5)))["id"]!.GetValue<string>();
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < 3; i++)
        {
            devices.Add(await DeviceSimulator.CreateAsync(fixture, session, $"staged-{i}"));
        }

        var created = await ApiSession.Json(
            await session.Post("/v2/deployments/", new
            {
                devices = devices.Select(d => d.Id),
                firmware,
                rollout = new { groups = new[] { 1 }, error_threshold = 0.5, max_per_minute = 100, update_timeout_seconds = 86400 },
            }),
            HttpStatusCode.Created);
        var url = $"/v2/deployments/{created["id"]!.GetValue<long>()}/";
        Assert.Equal("running", created["status"]!.GetValue<string>());
        Assert.Equal([1], created["rollout"]!["groups"]!.AsArray().Select(g => g!.GetValue<int>()));
        Assert.Equal(1.0, created["rollout"]!["success_threshold"]!.GetValue<double>());
        Assert.Equal([1, 2], created["groups"]!.AsArray().Select(g => g!["size"]!.GetValue<int>()));
        Assert.Equal([1, 2], created["groups"]!.AsArray().Select(g => g!["pending"]!.GetValue<int>()));
        Assert.NotNull(created["groups"]![0]!["started_at"]);

        var action = Assert.Single((await devices[0].WakeAsync()).Actions);
        Assert.Equal("_fota", action["type"]!.GetValue<string>());
        Assert.Empty((await devices[1].WakeAsync()).Actions);

        var paused = await ApiSession.Json(await session.Patch(url, new { paused = true }), HttpStatusCode.OK);
        Assert.Equal("paused", paused["status"]!.GetValue<string>());
        await devices[0].WakeAsync(responses: [new { action = action["id"]!.GetValue<long>(), result = new { }, result_code = "Success" }]);
        await Eventually(async () => await ApiSession.Json(await session.Get(url), HttpStatusCode.OK), d => d["groups"]![0]!["successful"]!.GetValue<int>() == 1);
        Assert.Empty((await devices[1].WakeAsync()).Actions);

        var resumed = await ApiSession.Json(await session.Patch(url, new { paused = false }), HttpStatusCode.OK);
        Assert.Equal("running", resumed["status"]!.GetValue<string>());
        Assert.NotNull(resumed["groups"]![1]!["started_at"]);
        Assert.Single((await devices[1].WakeAsync()).Actions);

        // Without a rollout there is nothing to pause; a bad rollout names its fields.
        var plain = await DeviceSimulator.CreateAsync(fixture, session, "unstaged");
        var whole = await ApiSession.Json(await session.Post("/v2/deployments/", new { devices = new[] { plain.Id }, firmware }), HttpStatusCode.Created);
        Assert.Equal("running", whole["status"]!.GetValue<string>());
        Assert.Null(whole["rollout"]);
        await ApiSession.Problem(await session.Patch($"/v2/deployments/{whole["id"]}/", new { paused = true }), HttpStatusCode.Conflict);
        var bad = await ApiSession.Problem(
            await session.Post("/v2/deployments/", new { devices = new[] { plain.Id }, firmware, rollout = new { groups = new[] { 0 }, success_threshold = 2, error_threshold = 0, max_per_minute = 0, update_timeout_seconds = 1 } }),
            HttpStatusCode.BadRequest);
        foreach (var field in new[] { "rollout.groups", "rollout.success_threshold", "rollout.error_threshold", "rollout.max_per_minute", "rollout.update_timeout_seconds" })
        {
            Assert.NotNull(bad["errors"]![field]);
        }

        await ApiSession.Problem(await session.Patch(url, new { }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_rollouts_webhooks_tell_each_group_the_pause_and_the_end_signed_retried_and_listed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organisation, session, _) = await fixture.NewOrganisationAsync();
        await ApiSession.Json(await session.Patch($"/v2/organisations/{organisation}/", new { secret = "org-secret" }), HttpStatusCode.OK);
        var firmware = (await UploadMultipartAsync(session, Image(1000, 9)))["id"]!.GetValue<string>();
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < 3; i++)
        {
            devices.Add(await DeviceSimulator.CreateAsync(fixture, session, $"hooked-{i}"));
        }

        string[] statuses = ["group_started", "group_completed", "paused", "aborted", "completed"];

        // The first delivery (group 1 started) meets a failing receiver and is retried.
        receiver.Script(500);
        var created = await ApiSession.Json(
            await session.Post("/v2/deployments/", new
            {
                devices = devices.Select(d => d.Id),
                firmware,
                rollout = new { groups = new[] { 1 }, pause_between_groups = true },
                webhooks = statuses.Select(s => new { status = s, url = receiver.Url(s) }),
            }),
            HttpStatusCode.Created);
        var id = created["id"]!.GetValue<long>();
        var url = $"/v2/deployments/{id}/";
        Assert.Equal(statuses, created["webhooks"]!.AsArray().Select(w => w!["status"]!.GetValue<string>()));

        var started = await receiver.WaitForAsync("group_started", 2);
        Assert.Single(started.Select(h => h.Headers["X-Webhook-Delivery"]).Distinct());
        AssertTold(started[^1], "group_started", 1, "running");

        // Group 1 succeeds: it completes, and the rollout pauses at the gate.
        await Answer(devices[0], "Success");
        AssertTold(Assert.Single(await receiver.WaitForAsync("group_completed", 1)), "group_completed", 1, "paused");
        var paused = Assert.Single(await receiver.WaitForAsync("paused", 1));
        AssertTold(paused, "paused", null, "paused");
        Assert.Equal(1, paused.Json!["deployment"]!["groups"]![0]!["successful"]!.GetValue<int>());

        // Resumed: group 2 starts; both succeed and the deployment completes.
        await ApiSession.Json(await session.Patch(url, new { paused = false }), HttpStatusCode.OK);
        AssertTold((await receiver.WaitForAsync("group_started", 3))[^1], "group_started", 2, "running");
        await Answer(devices[1], "Success");
        await Answer(devices[2], "Success");
        AssertTold((await receiver.WaitForAsync("group_completed", 2))[^1], "group_completed", 2, "completed");
        var completed = Assert.Single(await receiver.WaitForAsync("completed", 1));
        AssertTold(completed, "completed", null, "completed");
        Assert.Equal(3, completed.Json!["deployment"]!["successful"]!.AsArray().Count);

        // Signed for the organisation; there is no application to sign for.
        Assert.Equal(organisation, WebhookTokens.Verify(completed.Headers["X-Org-Token"], "org-secret")["organisation_id"]!.GetValue<string>());
        Assert.False(completed.Headers.ContainsKey("X-App-Token"));

        // Each told once, each listed under the deployment with its attempts.
        await Task.Delay(500);
        Assert.Empty(receiver.At("aborted"));
        Assert.Single(receiver.At("paused"));
        var listed = (await Eventually(
            async () => await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?deployment={id}&status=delivered"), HttpStatusCode.OK),
            l => l.AsArray().Count == 6)).AsArray();
        Assert.Equal(6, listed.Count);
        Assert.All(listed, d => Assert.Equal(id, d!["deployment"]!.GetValue<long>()));
        Assert.All(listed, d => Assert.Null(d!["device"]));
        Assert.Equal([2, 1, 1, 1, 1, 1], listed.Select(d => d!["attempts"]!.GetValue<int>()));
        Assert.Empty((await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/?deployment={id + 1000}"), HttpStatusCode.OK)).AsArray());
        await ApiSession.Json(await session.Get($"/v2/webhook-deliveries/{listed[0]!["id"]}/"), HttpStatusCode.OK);

        // Another organisation sees none of them.
        var (_, other, _) = await fixture.NewOrganisationAsync();
        await ApiSession.Problem(await other.Get($"/v2/webhook-deliveries/{listed[0]!["id"]}/"), HttpStatusCode.NotFound);
        Assert.Empty((await ApiSession.Json(await other.Get($"/v2/webhook-deliveries/?deployment={id}"), HttpStatusCode.OK)).AsArray());
        Assert.NotNull((await ApiSession.Problem(await session.Get("/v2/webhook-deliveries/?deployment=x"), HttpStatusCode.BadRequest))["errors"]!["deployment"]);
    }

    [Fact]
    public async Task An_aborted_rollout_tells_its_webhooks_and_a_deployment_without_a_rollout_is_one_group()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var firmware = (await UploadMultipartAsync(session, Image(1000, 11)))["id"]!.GetValue<string>();
        var devices = new List<DeviceSimulator>();
        for (var i = 0; i < 3; i++)
        {
            devices.Add(await DeviceSimulator.CreateAsync(fixture, session, $"doomed-{i}"));
        }

        string[] statuses = ["group_started", "group_completed", "aborted", "completed"];
        var hooks = statuses.Select(s => new { status = s, url = receiver.Url(s) }).ToArray();
        var staged = (await ApiSession.Json(
            await session.Post("/v2/deployments/", new { devices = devices.Take(2).Select(d => d.Id), firmware, rollout = new { groups = new[] { 1 }, error_threshold = 0.5 }, webhooks = hooks }),
            HttpStatusCode.Created))["id"]!.GetValue<long>();
        await Answer(devices[0], "Failure");
        var aborted = Assert.Single(await receiver.WaitForAsync("aborted", 1));
        AssertTold(aborted, "aborted", null, "aborted");
        Assert.Equal(2, aborted.Json!["deployment"]!["failed"]!.AsArray().Count);

        // The group that ran completes; the one that never started never does, and nothing completes.
        var stagedGroup = Assert.Single(Of(await receiver.WaitForAsync("group_completed", 1), staged));
        AssertTold(stagedGroup, "group_completed", 1, "aborted");

        // One group: started when created, completed with the deployment.
        var plain = (await ApiSession.Json(await session.Post("/v2/deployments/", new { devices = new[] { devices[2].Id }, firmware, webhooks = hooks }), HttpStatusCode.Created))["id"]!.GetValue<long>();
        AssertTold(Assert.Single(Of(await receiver.WaitForAsync("group_started", 2), plain)), "group_started", 1, "running");
        await Answer(devices[2], "Success");
        AssertTold(Assert.Single(Of(await receiver.WaitForAsync("completed", 1), plain)), "completed", null, "completed");
        AssertTold(Assert.Single(Of(await receiver.WaitForAsync("group_completed", 2), plain)), "group_completed", 1, "completed");
        await Task.Delay(500);
        Assert.Single(receiver.At("completed"));

        // A webhook for something a deployment never tells is refused, by name.
        var bad = await ApiSession.Problem(
            await session.Post("/v2/deployments/", new { devices = new[] { devices[2].Id }, firmware, webhooks = new[] { new { status = "action_sent", url = receiver.Url("x") }, new { status = "completed", url = "ftp://nowhere" } } }),
            HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["webhooks[0].status"]);
        Assert.NotNull(bad["errors"]!["webhooks[1].url"]);
    }

    private static List<ReceivedWebhook> Of(IEnumerable<ReceivedWebhook> hits, long deployment) =>
        hits.Where(h => h.Json!["deployment"]!["id"]!.GetValue<long>() == deployment).ToList();

    private static void AssertTold(ReceivedWebhook hit, string kind, int? group, string status)
    {
        Assert.Equal(kind, hit.Json!["event"]!.GetValue<string>());
        Assert.Equal(group, hit.Json!["group"]?.GetValue<int>());
        Assert.Equal(status, hit.Json!["deployment"]!["status"]!.GetValue<string>());
        Assert.NotNull(hit.Json!["at"]);
    }

    /// <summary>The device takes its <c>_fota</c> and answers it.</summary>
    private static async Task Answer(DeviceSimulator device, string resultCode)
    {
        var action = Assert.Single((await device.WakeAsync()).Actions)["id"]!.GetValue<long>();
        await device.WakeAsync(acks: [action], responses: [new { action, result = new { }, result_code = resultCode }]);
    }

    [Fact]
    public async Task A_device_with_an_unfinished_update_refuses_a_second_deployment_until_it_finishes()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var firmware = (await UploadMultipartAsync(session, Image(1000, 3)))["id"]!.GetValue<string>();
        var busy = await DeviceSimulator.CreateAsync(fixture, session, "busy");
        var free = await DeviceSimulator.CreateAsync(fixture, session, "free");
        await ApiSession.Json(await session.Post("/v2/deployments/", new { devices = new[] { busy.Id }, firmware }), HttpStatusCode.Created);

        var conflict = await ApiSession.Problem(await session.Post("/v2/deployments/", new { devices = new[] { free.Id, busy.Id }, firmware }), HttpStatusCode.Conflict);
        Assert.Equal([busy.Id], Strings(conflict["devices"]!));
        Assert.Contains(busy.Id, conflict["detail"]!.GetValue<string>());
        Assert.Empty(await PendingActions(session, free.Id));

        var action = Assert.Single((await busy.WakeAsync()).Actions)["id"]!.GetValue<long>();
        await busy.WakeAsync(responses: [new { action, result = new { }, result_code = "Success" }]);
        await ApiSession.Json(await session.Post("/v2/deployments/", new { devices = new[] { free.Id, busy.Id }, firmware }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Unknown_devices_and_firmware_are_400_naming_them()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var (_, stranger, _) = await fixture.NewOrganisationAsync();
        var firmware = (await UploadMultipartAsync(session, Image(100, 5)))["id"]!.GetValue<string>();
        var theirs = (await stranger.CreateDeviceAsync("theirs"))["id"]!.GetValue<string>();
        var mine = (await session.CreateDeviceAsync("mine"))["id"]!.GetValue<string>();

        var problem = await ApiSession.Problem(await session.Post("/v2/deployments/", new { devices = new[] { mine, theirs, "NoSuch01" }, firmware }), HttpStatusCode.BadRequest);
        Assert.Contains(theirs, problem["errors"]!["devices"]![0]!.GetValue<string>());
        Assert.Contains("NoSuch01", problem["errors"]!["devices"]![0]!.GetValue<string>());
        Assert.DoesNotContain(mine, problem["errors"]!["devices"]![0]!.GetValue<string>());
        await ApiSession.Problem(await session.Post("/v2/deployments/", new { devices = new[] { mine }, firmware = "NoSuchFw" }), HttpStatusCode.BadRequest);
        await ApiSession.Problem(await session.Post("/v2/deployments/", new { devices = Array.Empty<string>(), firmware }), HttpStatusCode.BadRequest);
        Assert.Empty((await ApiSession.Json(await session.Get("/v2/deployments/"), HttpStatusCode.OK)).AsArray());
        Assert.Empty(await PendingActions(session, mine));
    }

    [Fact]
    public async Task Cancelling_a_deployment_fails_its_open_updates_and_frees_the_firmware()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var firmware = (await UploadMultipartAsync(session, Image(2000, 11)))["id"]!.GetValue<string>();
        var done = await DeviceSimulator.CreateAsync(fixture, session, "done");
        var sent = await DeviceSimulator.CreateAsync(fixture, session, "sent");
        var asleep = await DeviceSimulator.CreateAsync(fixture, session, "asleep");
        var deployment = (await ApiSession.Json(
            await session.Post("/v2/deployments/", new { devices = new[] { done.Id, sent.Id, asleep.Id }, firmware }), HttpStatusCode.Created))["id"]!.GetValue<long>();
        var doneAction = Assert.Single((await done.WakeAsync()).Actions)["id"]!.GetValue<long>();
        await done.WakeAsync(responses: [new { action = doneAction, result = new { }, result_code = "Success" }]);
        await sent.WakeAsync();

        await ApiSession.Problem(await session.Delete($"/v2/firmwares/{firmware}/"), HttpStatusCode.Conflict);
        await ApiSession.Problem(await session.Patch($"/v2/deployments/{deployment}/", new { cancelled = true, firmware = "x" }), HttpStatusCode.BadRequest);
        await Eventually(async () => await ApiSession.Json(await session.Get($"/v2/deployments/{deployment}/"), HttpStatusCode.OK), d => d["successful"]!.AsArray().Count == 1);
        var cancelled = await ApiSession.Json(await session.Patch($"/v2/deployments/{deployment}/", new { cancelled = true }), HttpStatusCode.OK);
        Assert.True(cancelled["cancelled"]!.GetValue<bool>());
        Assert.True(cancelled["finished"]!.GetValue<bool>());
        Assert.Equal([done.Id], Strings(cancelled["successful"]!));
        Assert.Equal(new[] { sent.Id, asleep.Id }.Order(), Strings(cancelled["failed"]!));

        var update = (await ApiSession.Json(await session.Get($"/v2/updates/?device={asleep.Id}"), HttpStatusCode.OK)).AsArray().Single()!;
        Assert.Equal("deployment cancelled", update["result"]!["error"]!.GetValue<string>());
        Assert.Equal("Failure", update["result_code"]!.GetValue<string>());
        Assert.Empty((await asleep.WakeAsync()).Actions);
        Assert.Empty((await sent.WakeAsync()).Actions);

        await Eventually(async () => await ApiSession.Json(await session.Get("/v2/deployments/"), HttpStatusCode.OK), l => l.AsArray().Single()!["finished"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NoContent, (await session.Delete($"/v2/firmwares/{firmware}/")).StatusCode);
    }

    private static async Task<JsonNode[]> PendingActions(ApiSession session, string device) =>
        (await ApiSession.Json(await session.Get($"/v2/actions/?device={device}"), HttpStatusCode.OK)).AsArray()
            .Where(a => !a!["finished"]!.GetValue<bool>()).Select(a => a!).ToArray();
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class FirmwareOnSqlite(SqlitePlatformFixture fixture) : FirmwareTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class FirmwareOnPostgres(PostgresPlatformFixture fixture) : FirmwareTests(fixture);
