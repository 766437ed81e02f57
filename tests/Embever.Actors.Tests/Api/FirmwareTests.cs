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
