using Embever.Actors.Files;
using Embever.Actors.Storage;
using Embever.Actors.Telemetry;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Organisations;

/// <summary>
/// Erases what deleted applications and organisations left (<c>tenant_erasures</c>, written with
/// the delete). An application: its webhook deliveries and device totals (its devices were
/// unlinked or deleted before, and a deleted device's rows are <see cref="Devices.DeviceEraser"/>'s).
/// An organisation: its files (and their content once no file names it), then every row of its
/// own in every table. <see cref="Batch"/> rows a round, each round a bulk change set through the
/// group commit (a storm's exchanges go first); the erasure row last, so an erasure a crash
/// interrupted goes on at the next start.
/// </summary>
public sealed partial class TenantEraser(Database database, PlatformKeys keys, ILogger<TenantEraser> logger) : RecurringStoreWork(keys, logger)
{
    public const int Batch = 1000;

    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    /// <summary>Files (and their content) per round: each may free a blob of several chunks.</summary>
    private const int FileBatch = 50;

    /// <summary>An organisation's tables with an id, erased a batch at a time (files go first, apart).</summary>
    private static readonly string[] OrganisationTables =
        ["webhook_deliveries", "events", "actions", "updates", "deployments", "firmwares", "tokens", "applications"];

    protected override TimeSpan Interval => Every;

    protected override string Work => "Erasing deleted applications and organisations";

    protected override async Task RoundAsync(CancellationToken cancellationToken)
    {
        var erasures = await database.QueryAsync(
            "SELECT organisation_id, application_id FROM tenant_erasures ORDER BY requested_at LIMIT 10", null, r => (r.GetString(0), r.GetString(1)), cancellationToken);
        foreach (var (organisation, application) in erasures)
        {
            await EraseAsync(organisation, application, cancellationToken);
        }
    }

    /// <summary>Erases an application's rows (<paramref name="application"/> given) or a whole organisation's (empty), then its erasure row.</summary>
    public async Task EraseAsync(string organisation, string application, CancellationToken cancellationToken)
    {
        var erased = application.Length > 0
            ? await EraseRowsAsync("webhook_deliveries", "application_id", application, cancellationToken)
            : await EraseOrganisationAsync(organisation, cancellationToken);
        var last = new SqlBatch();
        if (application.Length > 0)
        {
            last.Add("DELETE FROM device_counts WHERE organisation_id = {0} AND application_id = {1}", organisation, application);
        }
        else
        {
            last.Add("DELETE FROM device_counts WHERE organisation_id = {0}", organisation)
                .Add("DELETE FROM device_removals WHERE organisation_id = {0}", organisation);
        }

        await last.Add("DELETE FROM tenant_erasures WHERE organisation_id = {0} AND application_id = {1}", organisation, application)
            .ExecuteAsync(database, bulk: true);
        LogErased(application.Length > 0 ? $"application {application}" : $"organisation {organisation}", erased);
    }

    private async Task<long> EraseOrganisationAsync(string organisation, CancellationToken cancellationToken)
    {
        var erased = 0L;
        while (await database.QueryAsync(
            $"SELECT id, sha256 FROM files WHERE organisation_id = @organisation LIMIT {FileBatch}",
            p => p.Add("organisation", organisation),
            r => (Id: r.GetString(0), Sha256: r.GetString(1)),
            cancellationToken) is { Count: > 0 } files)
        {
            var round = new SqlBatch();
            foreach (var (id, sha256) in files)
            {
                FileStore.Delete(round, id, sha256);
            }

            await round.ExecuteAsync(database, bulk: true);
            PlatformMetrics.RowsErased.Add(files.Count, new KeyValuePair<string, object?>("table", "files"));
            erased += files.Count;
        }

        foreach (var table in OrganisationTables)
        {
            erased += await EraseRowsAsync(table, "organisation_id", organisation, cancellationToken);
        }

        return erased;
    }

    /// <summary>Deletes a table's rows whose <paramref name="column"/> is <paramref name="value"/>, <see cref="Batch"/> a round.</summary>
    private async Task<long> EraseRowsAsync(string table, string column, string value, CancellationToken cancellationToken)
    {
        var erased = 0L;
        while (true)
        {
            var ids = await database.QueryAsync($"SELECT id FROM {table} WHERE {column} = @value LIMIT {Batch}", p => p.Add("value", value), r => r.GetValue(0), cancellationToken);
            if (ids.Count > 0)
            {
                await new SqlBatch().DeleteIds(table, ids).ExecuteAsync(database, bulk: true);
                PlatformMetrics.RowsErased.Add(ids.Count, new KeyValuePair<string, object?>("table", table));
                erased += ids.Count;
            }

            if (ids.Count < Batch)
            {
                return erased;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Erased {Tenant}: {Rows} rows")]
    private partial void LogErased(string tenant, long rows);
}
