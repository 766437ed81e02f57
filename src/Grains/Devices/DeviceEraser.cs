using Embever.Actors.Files;
using Embever.Actors.Storage;
using Embever.Actors.Telemetry;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Devices;

/// <summary>
/// Erases what deleted devices left (<c>device_erasures</c>, written with the delete): their
/// files first (found through their actions, and a file's content once no file names it any
/// more), then their events, actions, updates, webhook deliveries and DTLS sessions, each
/// <see cref="Batch"/> rows at a time, one change set a round through the group commit, so a
/// storm's exchanges are never queued behind one large delete. The erasure row goes last, so an
/// erasure a crash interrupted goes on at the next start; every silo looks every
/// <see cref="Every"/>, and two silos erasing one device delete nothing twice.
/// </summary>
public sealed partial class DeviceEraser(Database database, PlatformKeys keys, ILogger<DeviceEraser> logger) : RecurringStoreWork(keys, logger)
{
    public const int Batch = 1000;

    /// <summary>Files (and their content) per round: each may free a blob of several chunks.</summary>
    private const int FileBatch = 50;

    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    private static readonly string[] Tables = ["events", "actions", "updates", "webhook_deliveries"];

    protected override TimeSpan Interval => Every;

    protected override string Work => "Erasing deleted devices";

    protected override async Task RoundAsync(CancellationToken cancellationToken)
    {
        foreach (var device in await database.QueryAsync("SELECT device_id FROM device_erasures ORDER BY requested_at LIMIT 10", null, r => r.GetString(0), cancellationToken))
        {
            await EraseAsync(device, cancellationToken);
        }
    }

    /// <summary>Erases one device's rows, round after round, until none is left; then its erasure row.</summary>
    public async Task EraseAsync(string device, CancellationToken cancellationToken)
    {
        var erased = 0L;
        while (true)
        {
            var files = await database.QueryAsync(
                $"SELECT f.id, f.sha256 FROM actions a JOIN files f ON f.id = a.file_id WHERE a.device_id = @device AND a.file_id IS NOT NULL LIMIT {FileBatch}",
                p => p.Add("device", device),
                r => (Id: r.GetString(0), Sha256: r.GetString(1)),
                cancellationToken);
            var left = await RemainingAsync(device, cancellationToken);
            if (files.Count == 0 && left.Count == 0)
            {
                break;
            }

            var round = new SqlBatch();
            foreach (var (id, sha256) in files)
            {
                FileStore.Delete(round, id, sha256);
            }

            // Actions only once their files are gone: the files are found through them.
            var rows = left.Where(t => files.Count == 0 || t.Table != "actions").ToList();
            foreach (var (table, _) in rows)
            {
                round.Add($"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE device_id = {{0}} LIMIT {Batch})", device);
            }

            round.Add("DELETE FROM dtls_sessions WHERE device_id = {0}", device);
            await round.ExecuteAsync(database, bulk: true);
            PlatformMetrics.RowsErased.Add(files.Count, new KeyValuePair<string, object?>("table", "files"));
            foreach (var (table, count) in rows)
            {
                PlatformMetrics.RowsErased.Add(count, new KeyValuePair<string, object?>("table", table));
            }

            erased += files.Count + rows.Sum(r => r.Count);
        }

        await new SqlBatch().Add("DELETE FROM device_erasures WHERE device_id = {0}", device).ExecuteAsync(database);
        LogErased(device, erased);
    }

    /// <summary>The tables that still hold the device's rows, with how many the next round deletes (at most <see cref="Batch"/>).</summary>
    private async Task<List<(string Table, long Count)>> RemainingAsync(string device, CancellationToken cancellationToken)
    {
        var left = new List<(string, long)>();
        foreach (var table in Tables)
        {
            var count = await database.ScalarAsync<long>($"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE device_id = @device LIMIT {Batch}) round", p => p.Add("device", device), cancellationToken);
            if (count > 0)
            {
                left.Add((table, count));
            }
        }

        return left;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Erased device {Device}: about {Rows} rows")]
    private partial void LogErased(string device, long rows);
}
