using Orleans.Dashboard;
using System.Net;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Webhooks;
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
            // Other silos reach this one at the advertised address: an IP, a host name (a
            // container's), or by default this machine's first non-loopback address.
            if (options.AdvertisedAddress is not { Length: > 0 } advertised)
            {
                silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            }
            else if (IPAddress.TryParse(advertised, out var address))
            {
                silo.ConfigureEndpoints(address, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            }

            silo.UseAdoNetClustering(clustering =>
            {
                clustering.Invariant = database.Invariant;
                clustering.DataSource = database.DataSource;
            });
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }

        silo.Services.AddSingleton(options.Keys.Load(options.FullDataDirectory));
        silo.AddEmbeverGrainServices(database, options.Webhooks);
        if (options.FailureDetectionTime is { } detection)
        {
            // A dead silo is declared dead after about this long; its grains and reminders move on.
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = detection / 3;
                membership.NumMissedProbesLimit = 2;
                membership.IAmAliveTablePublishTimeout = detection;
            });
        }

        if (options.GrainCollectionAge is { } age)
        {
            silo.Configure<GrainCollectionOptions>(collection =>
            {
                collection.CollectionAge = age;
                collection.CollectionQuantum = TimeSpan.FromTicks(Math.Min(collection.CollectionQuantum.Ticks, age.Ticks / 2));
            });
        }

        if (options.MinimumReminderPeriod is { } minimum)
        {
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = minimum);
        }

        // Grain calls carry the trace of their caller, so a wakeup's trace goes on into its grain.
        if (options.Telemetry.Tracing)
        {
            silo.AddActivityPropagation();
        }

        if (options.Telemetry.Dashboard && options.HttpEnabled)
        {
            silo.AddDashboard();
        }

        return silo;
    }

    /// <summary>
    /// What the grains need, whatever the clustering: grain storage and reminders on the platform
    /// database, the webhook stream, storage services and webhook delivery (shared with the test cluster).
    /// </summary>
    public static ISiloBuilder AddEmbeverGrainServices(this ISiloBuilder silo, Database database, WebhookOptions webhooks)
    {
        foreach (var name in new[] { StorageNames.Platform, StorageNames.PubSub })
        {
            silo.AddAdoNetGrainStorage(name, storage => storage.Configure<Orleans.Serialization.Serializer>((o, serializer) =>
            {
                o.Invariant = database.Invariant;
                o.DataSource = database.DataSource;
                // Orleans' own binary format: version-tolerant through [Id]s, compact, no reflection.
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        }

        // Webhook offers travel on memory streams: losing one costs only a delay, as the durable
        // outbox and its sweeper offer every pending delivery again.
        silo.AddMemoryStreams(WebhookStreams.Provider, streams => streams.ConfigurePullingAgent(agent => agent.Configure(options =>
        {
            // The queue is polled; the default 100 ms would be most of a webhook's latency.
            options.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10);
        })));
        silo.UseAdoNetReminderService(reminders =>
        {
            reminders.Invariant = database.Invariant;
            reminders.DataSource = database.DataSource;
        });
        silo.Services.AddEmbeverStorage(database);
        silo.Services.AddEmbeverWebhooks(webhooks);
        silo.AddOutgoingGrainCallFilter<TransientGrainCallRetry>();
        return silo;
    }
}
