using System.Diagnostics.Metrics;

namespace Embever.Actors.Telemetry;

/// <summary>
/// The platform's own metrics (meter <c>Embever.Actors</c>), recorded where things happen and
/// exported by whatever the host wires (Prometheus, OTLP). The ones a wake storm is watched by:
/// exchanges by outcome, DTLS handshakes and sessions, commits with their batch size and latency, webhook deliveries with
/// their end-to-end latency, and the devices active in memory.
/// </summary>
public static class PlatformMetrics
{
    public const string MeterName = "Embever.Actors";

    private static readonly Meter Meter = new(MeterName, typeof(PlatformMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Device exchanges (wakeups), by <c>transport</c> (http, coap) and <c>outcome</c> (ok, unauthorized, rate_limited, busy, invalid).</summary>
    public static readonly Counter<long> Exchanges =
        Meter.CreateCounter<long>("embever.gateway.exchanges", "{exchange}", "Device exchanges by transport and outcome.");

    /// <summary>Actions created through the API.</summary>
    public static readonly Counter<long> ActionsCreated =
        Meter.CreateCounter<long>("embever.actions.created", "{action}", "Actions created.");

    /// <summary>Actions reaching a status (<c>status</c>: action_sent, action_delivered, …).</summary>
    public static readonly Counter<long> ActionStatuses =
        Meter.CreateCounter<long>("embever.actions.statuses", "{action}", "Actions reaching a status, by status.");

    public static readonly Counter<long> EventsStored =
        Meter.CreateCounter<long>("embever.events.stored", "{event}", "Events stored.");

    /// <summary>Transactions of the group commit (<c>outcome</c>: committed, failed).</summary>
    public static readonly Counter<long> Commits =
        Meter.CreateCounter<long>("embever.store.commits", "{transaction}", "Store transactions of the group commit, by outcome.");

    public static readonly Histogram<int> CommitBatchSize = Meter.CreateHistogram<int>(
        "embever.store.commit.batch_size", "{change_set}", "Change sets merged into one transaction.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "embever.store.commit.duration", "s", "Time to write and commit one transaction.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5] });

    /// <summary>Webhook delivery outcomes (<c>outcome</c>: delivered, retry, failed, deferred).</summary>
    public static readonly Counter<long> WebhookDeliveries =
        Meter.CreateCounter<long>("embever.webhooks.deliveries", "{delivery}", "Webhook delivery outcomes.");

    /// <summary>Attempts a delivery took, recorded when it is delivered or fails for good.</summary>
    public static readonly Histogram<int> WebhookAttempts = Meter.CreateHistogram<int>(
        "embever.webhooks.attempts", "{attempt}", "Attempts per finished webhook delivery.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 5, 8, 13, 21] });

    /// <summary>From the change that fired a webhook to its receiver's 2xx.</summary>
    public static readonly Histogram<double> WebhookLatency = Meter.CreateHistogram<double>(
        "embever.webhooks.latency", "s", "From firing to delivery, end to end.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300] });

    /// <summary>DTLS handshakes of the CoAP gateway (<c>outcome</c>: completed, unknown_identity, wrong_key, failed, limited).</summary>
    /// <summary>Rows erased after their device was deleted, by table (events, actions, updates, webhook_deliveries, files).</summary>
    public static readonly Counter<long> RowsErased =
        Meter.CreateCounter<long>("embever.store.rows_erased", "{row}", "Rows erased after their device was deleted, by table.");

    /// <summary>Rows deleted past their retention, by <c>kind</c> (events, finished_actions, webhook_deliveries).</summary>
    public static readonly Counter<long> RetentionDeleted =
        Meter.CreateCounter<long>("embever.retention.rows_deleted", "{row}", "Rows deleted past their retention, by kind.");

    /// <summary>Device requests refused before their device's grain was asked, by reason (no_credentials, unknown_device, wrong_password, source_throttled, device_rate_limited).</summary>
    public static readonly Counter<long> GatewayRefusals =
        Meter.CreateCounter<long>("embever.gateway.refusals", "{request}", "Device requests refused by the gateway, by reason.");

    /// <summary>Addresses and networks with failed credential checks the gateway remembers (bounded).</summary>
    public static readonly UpDownCounter<long> GatewayFailingSources =
        Meter.CreateUpDownCounter<long>("embever.gateway.failing_sources", "{source}", "Addresses and networks whose failed credential checks this silo counts.");

    public static readonly Counter<long> DtlsHandshakes =
        Meter.CreateCounter<long>("embever.coap.handshakes", "{handshake}", "DTLS handshakes of the CoAP gateway, by outcome.");

    /// <summary>DTLS sessions this silo holds (each a device that may send without a handshake).</summary>
    public static readonly UpDownCounter<long> DtlsSessions =
        Meter.CreateUpDownCounter<long>("embever.coap.sessions", "{session}", "DTLS sessions held by this silo.");

    /// <summary>Database work refused because its lane was full or its wait too long (<c>lane</c>: lists, imports, connections …): each a 503.</summary>
    public static readonly Counter<long> StoreRefused =
        Meter.CreateCounter<long>("embever.store.refused", "{request}", "Database work refused for want of room (answered 503), by lane.");

    /// <summary>SQLite page cache reads (<c>outcome</c>: hit, miss).</summary>
    public static readonly Counter<long> SqliteCachePages =
        Meter.CreateCounter<long>("embever.store.sqlite.cache.pages", "{page}", "SQLite page cache reads, by outcome (hit, miss).");

    /// <summary>SQLite write-ahead log checkpoints (<c>mode</c>: passive, restart, truncate; <c>outcome</c>: done, busy).</summary>
    public static readonly Counter<long> Checkpoints =
        Meter.CreateCounter<long>("embever.store.sqlite.checkpoints", "{checkpoint}", "SQLite WAL checkpoints, by mode and outcome.");

    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>(
        "embever.store.sqlite.checkpoint.duration", "s", "Time of a truncating checkpoint (writers wait behind it).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 2] });

    /// <summary>Device grains in memory on this silo.</summary>
    public static readonly UpDownCounter<long> DevicesActive =
        Meter.CreateUpDownCounter<long>("embever.devices.active", "{device}", "Device grains active on this silo.");
}
