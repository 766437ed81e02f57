using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Embever.Actors.Storage;

/// <summary>
/// The first thing a silo does: bring the schema up to date and load the platform keys,
/// before any provider, grain or request touches the database.
/// </summary>
public sealed partial class StorageStartup(Database database, SchemaMigrator migrator, PlatformKeys keys, ILogger<StorageStartup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(StorageStartup), ServiceLifecycleStage.First, StartAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(database.Kind);
        await migrator.ApplyAsync(cancellationToken);
        await keys.LoadAsync(database, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Preparing {Store} storage")]
    private partial void LogStarting(StoreKind store);
}
