using Embever.Actors.Silo.Hosting;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Embever.Actors.Tests.Grains;

/// <summary>An Orleans.TestingHost cluster whose silos persist to a fresh SQLite store, as the embedded default does.</summary>
public class GrainClusterFixture : IAsyncLifetime
{
    private const string DatabaseKey = "EmbeverTestSqlite";
    private const string ClockKey = "EmbeverTestClock";

    public TestCluster Cluster { get; private set; } = null!;

    public Database Database { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var store = await StoreUnderTest.CreateAsync(StoreKind.Sqlite);
        Database = store.Database;
        var builder = new TestClusterBuilder(1);
        builder.Properties[DatabaseKey] = Database.ConnectionString;
        builder.Properties[ClockKey] = this is ManualTimeClusterFixture ? "manual" : "system";
        builder.AddSiloBuilderConfigurator<PersistenceConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The test silo's key-encryption key (the platform's keys in the store are sealed under it).</summary>
    private static readonly Security.KeyEncryptionKey KeyEncryptionKey = new(new byte[Security.KeyEncryptionKey.Size]);

    /// <summary>Hashes a secret as the silo does, with the installation's key from the store.</summary>
    public async Task<byte[]> HashAsSiloAsync(string secret)
    {
        var key = await Database.ScalarAsync<string>("SELECT value FROM platform_secrets WHERE name = 'secret_hash_key'");
        return new Security.SecretHasher(KeyEncryptionKey.Open("secret_hash_key", key!)).Hash(secret);
    }

    /// <summary>Deactivates every idle grain, so the next call reads state back from storage.</summary>
    public Task DeactivateAllAsync() =>
        Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private sealed class PersistenceConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton(KeyEncryptionKey);
            siloBuilder.AddEmbeverGrainServices(new Database(StoreKind.Sqlite, siloBuilder.Configuration[DatabaseKey]!), new WebhookOptions { AllowPrivateNetworks = true });
            siloBuilder.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            if (siloBuilder.Configuration[ClockKey] == "manual")
            {
                siloBuilder.Services.AddSingleton<TimeProvider>(ManualTimeClusterFixture.Clock);
            }
        }
    }
}

/// <summary>
/// The same cluster on a clock the test moves (<see cref="Clock"/>): for rules that take minutes
/// or days, like a rollout's pacing and timeouts. Its own collection, so no other test sees its time jump.
/// </summary>
public sealed class ManualTimeClusterFixture : GrainClusterFixture
{
    /// <summary>The silo's clock (one such cluster runs in the test process).</summary>
    public static readonly ManualTime Clock = new(DateTimeOffset.UtcNow);
}

[CollectionDefinition(Name)]
public sealed class ManualTimeClusterCollection : ICollectionFixture<ManualTimeClusterFixture>
{
    public const string Name = "Grain cluster on a manual clock";
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainClusterFixture>
{
    public const string Name = "Grain cluster";
}
