using Embever.Actors.Actions;
using Embever.Actors.Applications;
using Embever.Actors.Deployments;
using Embever.Actors.Firmware;
using Embever.Actors.Events;
using Embever.Actors.Files;
using Embever.Actors.Devices;
using Embever.Actors.Organisations;
using Embever.Actors.Storage.Migrations;
using Embever.Actors.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

namespace Embever.Actors.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The database, its schema start-up, the platform keys, id blocks and the index tables.</summary>
    public static IServiceCollection AddEmbeverStorage(this IServiceCollection services, Database database)
    {
        services.AddSingleton(database);
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<StoreProbe>();
        services.AddSingleton<Actions.ActionCreator>();
        services.AddSingleton<Deployments.DeploymentCreator>();
        services.AddSingleton<Tokens.TokenCreator>();
        services.AddSingleton<Devices.DeviceCreator>();
        services.AddSingleton<PlannerStatistics>();
        services.AddSingleton<StoreState>();
        services.AddSingleton<Firmware.FirmwareCatalog>();
        services.AddSingleton<IDataMigration, DeviceStateToRows>();
        services.AddSingleton<IDataMigration, WebhookBodiesRendered>();
        services.AddSingleton<PlatformKeys>();
        services.AddSingleton(sp => new IdBlockAllocator(sp.GetRequiredService<Database>()));
        services.AddSingleton<StorageStartup>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StorageStartup>());
        services.AddSingleton<OrganisationIndex>();
        services.AddSingleton<ApplicationIndex>();
        services.AddSingleton<TokenIndex>();
        services.AddSingleton<DeviceIndex>();
        services.AddSingleton<DeviceRows>();
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<DtlsSessionStore>();
        services.AddHostedService<DeviceEraser>();
        services.AddHostedService<TenantEraser>();
        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.Section);
        services.AddSingleton<Retention.RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<Retention.RetentionSweeper>());
        services.AddSingleton<ActionIndex>();
        services.AddSingleton<EventIndex>();
        services.AddSingleton<FirmwareIndex>();
        services.AddSingleton<DeploymentIndex>();
        services.AddSingleton<UpdateIndex>();
        services.AddSingleton<BlobStore>();
        services.AddSingleton<FileStore>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
