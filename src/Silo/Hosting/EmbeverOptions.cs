using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Webhooks;

namespace Embever.Actors.Silo.Hosting;

/// <summary>The <c>Embever</c> configuration section (docs/operations.md lists every key).</summary>
public sealed class EmbeverOptions
{
    /// <summary>Where the embedded default keeps its SQLite file and the first-start token files.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>Sqlite</c> (embedded default) or <c>PostgreSQL</c> (cluster mode).</summary>
    public string Storage { get; set; } = "Sqlite";

    /// <summary>PostgreSQL connection string (or <c>ConnectionStrings:Embever</c>); ignored for SQLite.</summary>
    public string? ConnectionString { get; set; }

    public string ClusterId { get; set; } = "embever";

    public string ServiceId { get; set; } = "embever-actors";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address (or host name) other silos reach this one at; by default this machine's first non-loopback address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>About how long until a silo that stopped answering is declared dead (Orleans' default: half a minute or so).</summary>
    public TimeSpan? FailureDetectionTime { get; set; }

    /// <summary>Serve HTTP (<c>/v2</c>, the gateway) from this silo; off for a silo that only hosts grains.</summary>
    public bool HttpEnabled { get; set; } = true;

    /// <summary>Shortest reminder period Orleans accepts (1 minute by default; tests lower it).</summary>
    public TimeSpan? MinimumReminderPeriod { get; set; }

    /// <summary>How long a grain may stay idle before it is deactivated (Orleans' default: 15 minutes).</summary>
    public TimeSpan? GrainCollectionAge { get; set; }

    /// <summary>The key-encryption key that seals the platform's keys in the database (<c>Embever:Keys</c>).</summary>
    public KeysOptions Keys { get; set; } = new();

    /// <summary>Group commit of every write (<c>Embever:Commit</c>).</summary>
    public CommitOptions Commit { get; set; } = new();

    /// <summary>The store's memory budget, its lanes' workers and queues, the log's size (<c>Embever:Store</c>).</summary>
    public StoreOptions Store { get; set; } = new();

    /// <summary>Webhook delivery (<c>Embever:Webhooks</c>).</summary>
    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>Metrics, traces and the dashboard (<c>Embever:Telemetry</c>).</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    public StoreKind StoreKind => Storage.ToUpperInvariant() switch
    {
        "SQLITE" => StoreKind.Sqlite,
        "POSTGRESQL" or "POSTGRES" => StoreKind.PostgreSql,
        _ => throw new InvalidOperationException($"Embever:Storage must be Sqlite or PostgreSQL, not '{Storage}'."),
    };

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}
