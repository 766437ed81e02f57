using System.Diagnostics;
using System.Diagnostics.Metrics;
using Embever.Actors.Applications;
using Embever.Actors.Organisations;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Retention;

/// <summary>
/// Deletes rows past their retention (<see cref="RetentionPeriods"/>, in force per organisation and
/// application), every <see cref="RetentionOptions.SweepInterval"/>, in rounds of
/// <see cref="RetentionOptions.Batch"/> rows, each a bulk change set through the group commit (a
/// storm's exchanges are committed first). Per organisation and kind: one walk of the
/// organisation's rows older than its own period, oldest first (its index), leaving out
/// applications kept longer; then, for each application with a period of its own, its rows —
/// through its devices for events and actions (their rows carry no application), through the
/// application column for deliveries. A walk goes forward by (created_at, id), so rows that are
/// kept (unfinished actions, pending deliveries) are read at most once a sweep.
/// </summary>
public sealed partial class RetentionSweeper(
    Database database,
    PlatformKeys keys,
    OrganisationIndex organisations,
    ApplicationIndex applications,
    IOptionsMonitor<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger) : RecurringStoreWork(keys, logger)
{
    /// <summary>Devices of an application read at a time, whose old rows are then deleted.</summary>
    private const int DevicePage = 500;

    private static readonly Meter Meter = new(PlatformMetrics.MeterName);
    private static RetentionSweeper? watched;

    private readonly Dictionary<string, long> oldest = [];

    static RetentionSweeper() => Meter.CreateObservableGauge(
        "embever.retention.oldest_kept_age", OldestKeptAges, "s", "Age of the oldest row kept after the last sweep, by kind.");

    /// <summary>Sweeps finished since start (tests wait for one).</summary>
    public long Sweeps => Interlocked.Read(ref sweeps);

    private long sweeps;

    /// <summary>The creation time of the oldest row kept of a kind after the last sweep, microseconds (null: none).</summary>
    public long? OldestKept(string kind)
    {
        lock (oldest)
        {
            return oldest.TryGetValue(kind, out var micros) ? micros : null;
        }
    }

    protected override TimeSpan Interval => options.CurrentValue.SweepInterval;

    protected override string Work => "A retention sweep";

    protected override Task RoundAsync(CancellationToken cancellationToken)
    {
        watched = this;
        return SweepAsync(cancellationToken);
    }

    /// <summary>One sweep over every organisation; answers the rows deleted.</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow().UtcDateTime;
        var deleted = 0L;
        var oldestNow = new Dictionary<string, long>();
        foreach (var organisation in await organisations.AllAsync(cancellationToken))
        {
            var apps = await applications.OfOrganisationAsync(organisation.Id, cancellationToken);
            var inForce = settings.InForce(organisation.Retention);
            foreach (var kind in RetainedKind.All)
            {
                var period = kind.Period(inForce) ?? TimeSpan.MaxValue;
                var own = apps
                    .Select(a => (App: a.Id, Period: kind.Period(settings.InForce(organisation.Retention, a.Retention)) ?? TimeSpan.MaxValue))
                    .Where(a => a.Period != period)
                    .ToList();
                var longer = own.Where(a => a.Period > period).Select(a => a.App).ToList();
                deleted += await SweepOrganisationAsync(kind, organisation.Id, Cutoff(now, period), longer, settings.Batch, cancellationToken);
                foreach (var (app, appPeriod) in own)
                {
                    deleted += kind.ApplicationColumn
                        ? await SweepApplicationColumnAsync(kind, organisation.Id, app, Cutoff(now, appPeriod), settings.Batch, cancellationToken)
                        : await SweepApplicationDevicesAsync(kind, organisation.Id, app, Cutoff(now, appPeriod), settings.Batch, cancellationToken);
                }

                if (await database.ScalarAsync<long?>($"SELECT min(created_at) FROM {kind.Table} WHERE organisation_id = @organisation", p => p.Add("organisation", organisation.Id.ToString()), cancellationToken) is { } first)
                {
                    oldestNow[kind.Name] = Math.Min(oldestNow.GetValueOrDefault(kind.Name, long.MaxValue), first);
                }
            }
        }

        lock (oldest)
        {
            oldest.Clear();
            foreach (var (kind, micros) in oldestNow)
            {
                oldest[kind] = micros;
            }
        }

        Interlocked.Increment(ref sweeps);
        if (deleted > 0)
        {
            LogSwept(deleted);
        }

        return deleted;
    }

    /// <summary>The organisation's rows created before <paramref name="cutoff"/>, but those of applications kept longer.</summary>
    private async Task<long> SweepOrganisationAsync(RetainedKind kind, Guid organisation, long cutoff, List<Guid> longer, int batch, CancellationToken cancellationToken)
    {
        if (cutoff <= 0)
        {
            return 0;
        }

        var apps = string.Join(", ", longer.Select((_, i) => $"@app{i}"));
        var exclude = longer.Count == 0 ? ""
            : kind.ApplicationColumn ? $"AND (application_id IS NULL OR application_id NOT IN ({apps}))"
            : $"AND device_id NOT IN (SELECT id FROM devices WHERE organisation_id = @organisation AND application_id IN ({apps}))";
        return await WalkAsync(
            kind,
            $"organisation_id = @organisation AND created_at < @cutoff {exclude}",
            p =>
            {
                p.Add("organisation", organisation.ToString()).Add("cutoff", cutoff);
                for (var i = 0; i < longer.Count; i++)
                {
                    p.Add($"app{i}", longer[i].ToString());
                }
            },
            batch,
            cancellationToken);
    }

    /// <summary>An application's rows created before <paramref name="cutoff"/>, found by the row's application column.</summary>
    private Task<long> SweepApplicationColumnAsync(RetainedKind kind, Guid organisation, Guid app, long cutoff, int batch, CancellationToken cancellationToken) =>
        cutoff <= 0 ? Task.FromResult(0L) : WalkAsync(
            kind,
            "organisation_id = @organisation AND created_at < @cutoff AND application_id = @app",
            p => p.Add("organisation", organisation.ToString()).Add("cutoff", cutoff).Add("app", app.ToString()),
            batch,
            cancellationToken);

    /// <summary>
    /// Deletes, round after round, the rows that match <paramref name="where"/> and may be deleted,
    /// oldest first along the organisation's (created_at, id) index, from where the last round ended.
    /// </summary>
    private async Task<long> WalkAsync(RetainedKind kind, string where, Action<SqlParameters> bind, int batch, CancellationToken cancellationToken)
    {
        var deleted = 0L;
        (long CreatedAt, long Id) after = (long.MinValue, long.MinValue);
        while (true)
        {
            var started = Round.Start(database);
            var rows = await database.QueryAsync(
                $"""
                SELECT created_at, id FROM {kind.Table}
                WHERE {where} AND {kind.Deletable} AND (created_at, id) > (@after_created_at, @after_id)
                ORDER BY created_at, id LIMIT {batch}
                """,
                p =>
                {
                    bind(p);
                    p.Add("finished", true).Add("after_created_at", after.CreatedAt).Add("after_id", after.Id);
                },
                r => (CreatedAt: r.GetInt64(0), Id: r.GetInt64(1)),
                cancellationToken);
            if (rows.Count == 0)
            {
                return deleted;
            }

            await DeleteAsync(kind, rows.Select(r => r.Id).ToList(), started);
            deleted += rows.Count;
            after = rows[^1];
            if (rows.Count < batch)
            {
                return deleted;
            }
        }
    }

    /// <summary>An application's rows created before <paramref name="cutoff"/>: its devices a page at a time, each page's old rows by the device index.</summary>
    private async Task<long> SweepApplicationDevicesAsync(RetainedKind kind, Guid organisation, Guid app, long cutoff, int batch, CancellationToken cancellationToken)
    {
        if (cutoff <= 0)
        {
            return 0;
        }

        var deleted = 0L;
        (long CreatedAt, string Id) after = (long.MinValue, "");
        while (true)
        {
            var devices = await database.QueryAsync(
                $"""
                SELECT created_at, id FROM devices
                WHERE organisation_id = @organisation AND application_id = @app AND (created_at, id) > (@after_created_at, @after_id)
                ORDER BY created_at, id LIMIT {DevicePage}
                """,
                p => p.Add("organisation", organisation.ToString()).Add("app", app.ToString()).Add("after_created_at", after.CreatedAt).Add("after_id", after.Id),
                r => (CreatedAt: r.GetInt64(0), Id: r.GetString(1)),
                cancellationToken);
            if (devices.Count == 0)
            {
                return deleted;
            }

            var names = string.Join(", ", devices.Select((_, i) => $"@d{i}"));
            while (true)
            {
                var started = Round.Start(database);
                var ids = await database.QueryAsync(
                    $"SELECT id FROM {kind.Table} WHERE device_id IN ({names}) AND created_at < @cutoff AND {kind.Deletable} LIMIT {batch}",
                    p =>
                    {
                        p.Add("cutoff", cutoff).Add("finished", true);
                        for (var i = 0; i < devices.Count; i++)
                        {
                            p.Add($"d{i}", devices[i].Id);
                        }
                    },
                    r => r.GetInt64(0),
                    cancellationToken);
                if (ids.Count > 0)
                {
                    await DeleteAsync(kind, ids, started);
                    deleted += ids.Count;
                }

                if (ids.Count < batch)
                {
                    break;
                }
            }

            after = devices[^1];
        }
    }

    /// <summary>
    /// One round: the rows by id, a bulk change set (devices' commits go first); then, if devices'
    /// changes were committed meanwhile, a pause, so that beside them the sweep keeps the store
    /// busy at most <see cref="RetentionOptions.BusyShare"/> of the time (a round's read and delete
    /// took <c>t</c>: the pause is <c>t × (1 ÷ share − 1)</c>). Alone, it goes at full speed.
    /// </summary>
    private async Task DeleteAsync(RetainedKind kind, List<long> ids, Round started)
    {
        await new SqlBatch().DeleteIds(kind.Table, ids).ExecuteAsync(database, bulk: true);
        PlatformMetrics.RetentionDeleted.Add(ids.Count, new KeyValuePair<string, object?>("kind", kind.Name));
        if (database.GroupCommit.Totals.ChangeSets - started.ChangeSets > 1)
        {
            var share = Math.Clamp(options.CurrentValue.BusyShare, 0.001, 1);
            await Task.Delay(Stopwatch.GetElapsedTime(started.Timestamp) * (1 / share - 1), time);
        }
    }

    /// <summary>When a round started, and the change sets committed by then.</summary>
    private readonly record struct Round(long Timestamp, long ChangeSets)
    {
        public static Round Start(Database database) => new(Stopwatch.GetTimestamp(), database.GroupCommit.Totals.ChangeSets);
    }

    /// <summary>Rows created before this (microseconds) are past the period; 0 when nothing can be (a period beyond the calendar).</summary>
    private static long Cutoff(DateTime now, TimeSpan period) =>
        period == TimeSpan.MaxValue || now - DateTime.UnixEpoch <= period ? 0 : Timestamps.ToMicroseconds(now - period);

    private static IEnumerable<Measurement<double>> OldestKeptAges() => watched?.Ages() ?? [];

    private IEnumerable<Measurement<double>> Ages()
    {
        var now = Timestamps.ToMicroseconds(time.GetUtcNow().UtcDateTime);
        foreach (var kind in RetainedKind.All)
        {
            if (OldestKept(kind.Name) is { } micros)
            {
                yield return new Measurement<double>((now - micros) / 1e6, new KeyValuePair<string, object?>("kind", kind.Name));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Rows} rows past their period")]
    private partial void LogSwept(long rows);
}
