using System.Net;
using Embever.Actors.Storage;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// One running platform per store for a test collection. Tests isolate themselves by making
/// their own organisation through the operator token (<see cref="NewOrganisationAsync"/>).
/// </summary>
public abstract class PlatformFixture(StoreKind kind) : IAsyncLifetime
{
    private PlatformInstance? platform;

    /// <summary>
    /// Reminders every second and webhook retries within seconds, so that expiry and delivery
    /// are testable quickly; webhooks may reach the loopback receivers of the tests; rate limits
    /// out of the way of tests that drive a device or authenticate in a loop (their own tests set them);
    /// plain CoAP on (any free port) beside CoAP over DTLS.
    /// </summary>
    public static readonly string[] FastArguments =
    [
        "--Embever:Auth:AuthenticateBurst=1000000",
        "--Embever:Auth:AuthenticatePerSecond=1000000",
        "--Embever:Gateway:DeviceBurst=1000000",
        "--Embever:Gateway:DevicePerSecond=1000000",

        // Every test's devices and callers share 127.0.0.1; tests of the failure budget set their own.
        "--Embever:Gateway:FailedAttemptsPerAddress=1000000",
        "--Embever:Gateway:FailedAttemptsPerNetwork=1000000",
        "--Embever:MinimumReminderPeriod=00:00:01",
        "--Embever:Webhooks:AllowPrivateNetworks=true",
        "--Embever:Webhooks:RetryBaseDelay=00:00:00.500",
        "--Embever:Webhooks:SweepInterval=00:00:00.500",
        "--Embever:Webhooks:AttemptTimeout=00:00:02",
        "--Embever:Webhooks:TotalTimeout=00:00:05",
        "--Embever:Webhooks:CircuitOpenFor=00:00:01",
        "--Embever:Coap:Plain=true",
        "--Embever:Coap:PlainPort=0",
    ];

    public PlatformInstance Platform => platform ?? throw new InvalidOperationException("Not started.");

    public StoreKind Kind => kind;

    public ApiSession Operator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        platform = await PlatformInstance.StartAsync(await StoreUnderTest.CreateAsync(kind), FastArguments);
        Operator = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("operator-token"));
    }

    public async Task DisposeAsync()
    {
        if (platform is not null)
        {
            await platform.DisposeAsync();
        }
    }

    /// <summary>A fresh organisation and a session with its organisation-wide token.</summary>
    public async Task<(string Id, ApiSession Session, string Token)> NewOrganisationAsync(string? name = null)
    {
        var organisation = await ApiSession.Json(
            await Operator.Post("/v2/organisations/", new { name = name ?? $"org-{Guid.NewGuid():N}" }), HttpStatusCode.Created);
        var id = organisation["id"]!.GetValue<string>();
        var token = await ApiSession.Json(await Operator.Post("/v2/tokens/", new { alias = "org token", organisation = id }), HttpStatusCode.Created);
        var jwt = token["token"]!.GetValue<string>();
        return (id, await ApiSession.AuthenticateAsync(Platform, jwt), jwt);
    }
}

public sealed class SqlitePlatformFixture() : PlatformFixture(StoreKind.Sqlite);

public sealed class PostgresPlatformFixture() : PlatformFixture(StoreKind.PostgreSql);

[CollectionDefinition(Name)]
public sealed class SqlitePlatformCollection : ICollectionFixture<SqlitePlatformFixture>
{
    public const string Name = "Platform on SQLite";
}

[CollectionDefinition(Name)]
public sealed class PostgresPlatformCollection : ICollectionFixture<PostgresPlatformFixture>
{
    public const string Name = "Platform on PostgreSQL";
}
