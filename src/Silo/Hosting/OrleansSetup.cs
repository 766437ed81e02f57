using System.Net;
using Embever.Actors.Storage;
using Orleans.Configuration;
using Orleans.Storage;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// The silo: localhost clustering on SQLite (embedded) or ADO.NET clustering on PostgreSQL
/// (cluster mode); grain state and reminders in the same database either way.
/// </summary>
public static class OrleansSetup
{
    public static ISiloBuilder ConfigureEmbeverSilo(this ISiloBuilder silo, EmbeverOptions options, Database database)
    {
        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });

        if (database.Kind == StoreKind.PostgreSql)
        {
            var address = options.AdvertisedAddress is { } text ? IPAddress.Parse(text) : IPAddress.Loopback;
            silo.ConfigureEndpoints(address, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            silo.UseAdoNetClustering(clustering =>
            {
                clustering.Invariant = database.Invariant;
                clustering.ConnectionString = database.ConnectionString;
            });
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }

        silo.AddEmbeverPersistence(database);
        if (options.MinimumReminderPeriod is { } minimum)
        {
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = minimum);
        }

        return silo;
    }

    /// <summary>Grain storage and reminders on the platform database (shared with the test cluster).</summary>
    public static ISiloBuilder AddEmbeverPersistence(this ISiloBuilder silo, Database database)
    {
        silo.AddAdoNetGrainStorage(StorageNames.Platform, storage => storage.Configure<Orleans.Serialization.Serializer>((o, serializer) =>
        {
            o.Invariant = database.Invariant;
            o.ConnectionString = database.ConnectionString;
            // Orleans' own binary format: version-tolerant through [Id]s, compact, no reflection.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        silo.UseAdoNetReminderService(reminders =>
        {
            reminders.Invariant = database.Invariant;
            reminders.ConnectionString = database.ConnectionString;
        });
        silo.Services.AddEmbeverStorage(database);
        return silo;
    }
}
