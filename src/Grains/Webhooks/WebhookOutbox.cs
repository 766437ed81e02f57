using System.Data.Common;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Webhooks;

/// <summary>
/// The durable record of every webhook delivery. Rows are inserted with the change that fired
/// them (body included); the sweeper claims due rows with a lease (so two silos never send the
/// same attempt at once); outcomes come back through the group commit (<see cref="DeliveryOutcome"/>).
/// </summary>
public sealed class WebhookOutbox(Database database) : IndexTable<DeliveryView>(database, "webhook_deliveries")
{
    /// <summary>How long a claimed delivery is left to the claimant before the sweeper may take it again.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    public Task<Page<DeliveryView>> ListAsync(DeliveryQuery query, PageRequest page) => ListAsync(query.ToFilter(), page);

    protected override string Columns =>
        "id, organisation_id, application_id, device_id, action_id, event_id, trigger, url, payload_only, status, attempts, " +
        "next_attempt_at, deadline_at, last_error, last_status_code, created_at, delivered_at, deployment_id";

    /// <summary>
    /// Claims up to <paramref name="limit"/> pending deliveries whose time has come, with
    /// everything needed to send them (one statement for the whole batch).
    /// </summary>
    public async Task<List<WebhookDispatch>> ClaimDueAsync(DateTime now, int limit, CancellationToken cancellationToken = default) =>
        await Database.QueryAsync(
            """
            UPDATE webhook_deliveries SET next_attempt_at = @lease
            WHERE status = 'pending' AND next_attempt_at <= @now
              AND id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit)
            RETURNING id, organisation_id, application_id, url, body, attempts, created_at, deadline_at
            """,
            p => p.Add("now", Timestamps.ToMicroseconds(now)).Add("lease", Timestamps.ToMicroseconds(now + Lease)).Add("limit", (long)limit),
            reader => new WebhookDispatch(
                reader.GetInt64(0),
                Guid.Parse(reader.GetString(1)),
                reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2)),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetInt32(5),
                Timestamps.FromMicroseconds(reader.GetInt64(6)),
                Timestamps.FromMicroseconds(reader.GetInt64(7))),
            cancellationToken);

    /// <summary>Puts a failed delivery back in the queue with a new horizon; false when it had not failed.</summary>
    public async Task<bool> RetryAsync(long id, DateTime now, TimeSpan horizon) =>
        await Database.ExecuteAsync(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now, deadline_at = @deadline WHERE id = @id AND status = 'failed'",
            p => p.Add("id", id).Add("now", Timestamps.ToMicroseconds(now)).Add("deadline", Timestamps.ToMicroseconds(now + horizon))) == 1;

    protected override DeliveryView Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        Guid.Parse(reader.GetString(1)),
        reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2)),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        reader.GetString(6),
        reader.GetString(7),
        Convert.ToBoolean(reader.GetValue(8), System.Globalization.CultureInfo.InvariantCulture),
        reader.GetString(9),
        reader.GetInt32(10),
        Timestamps.FromMicroseconds(reader.GetInt64(11)),
        Timestamps.FromMicroseconds(reader.GetInt64(12)),
        reader.IsDBNull(13) ? null : reader.GetString(13),
        reader.IsDBNull(14) ? null : reader.GetInt32(14),
        Timestamps.FromMicroseconds(reader.GetInt64(15)),
        reader.IsDBNull(16) ? null : Timestamps.FromMicroseconds(reader.GetInt64(16)),
        reader.IsDBNull(17) ? null : reader.GetInt64(17));
}
