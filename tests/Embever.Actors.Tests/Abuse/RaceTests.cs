using System.Net;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Api;
using Embever.Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Abuse;

/// <summary>
/// Check-then-act pairs raced 100 times each: a rule that spans two objects holds whichever
/// request wins, because the decision is made under one lock in the database.
/// </summary>
public abstract class RaceTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private const int Tries = 100;

    [Fact]
    public async Task Deleting_a_firmware_while_a_deployment_of_it_is_created_never_lets_both_succeed()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Tries).Select(async i =>
        {
            var device = (await session.CreateDeviceAsync($"race-{i}"))["id"]!.GetValue<string>();
            var firmware = (await FirmwareTests.UploadMultipartAsync(session, new byte[64 + i], version: $"1.{i}"))["id"]!.GetValue<string>();
            var deploy = session.Post("/v2/deployments/", new { devices = new[] { device }, firmware });
            var delete = session.Delete($"/v2/firmwares/{firmware}/");
            var (deployed, deleted) = ((await deploy).StatusCode, (await delete).StatusCode);
            var firmwareExists = (await session.Get($"/v2/firmwares/{firmware}/")).StatusCode == HttpStatusCode.OK;
            return (deployed, deleted, firmwareExists);
        }));

        output.WriteLine(string.Join(", ", outcomes.GroupBy(o => $"deployment {(int)o.deployed}, delete {(int)o.deleted}").Select(g => $"{g.Key}: {g.Count()}")));
        Assert.DoesNotContain(outcomes, o => o.deployed == HttpStatusCode.Created && o.deleted == HttpStatusCode.NoContent);
        Assert.All(outcomes, o => Assert.True(o.deployed == HttpStatusCode.Created ? o.firmwareExists && o.deleted == HttpStatusCode.Conflict : o.deleted == HttpStatusCode.NoContent));
    }

    [Fact]
    public async Task Deleting_an_application_while_a_device_is_linked_to_it_never_leaves_a_device_linked_to_nothing()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Tries).Select(async i =>
        {
            var application = (await session.CreateApplicationAsync($"race-{i}"))["id"]!.GetValue<string>();
            var device = (await session.CreateDeviceAsync($"race-{i}"))["id"]!.GetValue<string>();
            var link = session.Patch($"/v2/devices/{device}/", new { application });
            var delete = session.Delete($"/v2/applications/{application}/");
            var (linked, deleted) = ((await link).StatusCode, (await delete).StatusCode);
            var now = await ApiSession.Json(await session.Get($"/v2/devices/{device}/"), HttpStatusCode.OK);
            var applicationExists = (await session.Get($"/v2/applications/{application}/")).StatusCode == HttpStatusCode.OK;
            return (linked, deleted, LinkedTo: now["application"]?.GetValue<string>(), applicationExists);
        }));

        output.WriteLine(string.Join(", ", outcomes.GroupBy(o => $"link {(int)o.linked}, delete {(int)o.deleted}").Select(g => $"{g.Key}: {g.Count()}")));
        Assert.DoesNotContain(outcomes, o => o.linked == HttpStatusCode.OK && o.deleted == HttpStatusCode.NoContent);
        Assert.All(outcomes, o => Assert.True(o.LinkedTo is null || o.applicationExists, "a device is linked to a deleted application"));
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class RacesOnSqlite(SqlitePlatformFixture fixture, ITestOutputHelper output) : RaceTests(fixture, output);

[Collection(PostgresPlatformCollection.Name)]
public sealed class RacesOnPostgres(PostgresPlatformFixture fixture, ITestOutputHelper output) : RaceTests(fixture, output);
