using System.Data.Common;
using System.Text.Json;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Webhooks;

/// <summary>
/// The durable record of every webhook delivery. Rows are inserted with the change that fired
/// them; dispatchers claim due rows with a lease (so two silos never send the same attempt at
/// once) and record each attempt's outcome.
/// </summary>
public sealed class WebhookOutbox(Database database) : IndexTable<DeliveryView>(database, "webhook_deliveries")
{
    /// <summary>How long a claimed delivery is left to the claimant before the sweeper may take it again.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions SnapshotJson = new(JsonSerializerDefaults.General);

    protected override string Columns =>
        "id, organisation_id, application_id, device_id, action_id, event_id, trigger, url, payload_only, status, attempts, " +
        "next_attempt_at, deadline_at, last_error, last_status_code, created_at, delivered_at";

    /// <summary>What a delivery carries, as the outbox stores it.</summary>
    public static string SerializeSnapshot(WebhookSnapshot snapshot) => JsonSerializer.Serialize(snapshot, SnapshotJson);

    /// <summary>Claims up to <paramref name="limit"/> pending deliveries whose time has come.</summary>
    public async Task<List<(long Id, Guid OrganisationId)>> ClaimDueAsync(DateTime now, int limit, CancellationToken cancellationToken = default) =>
        await Database.QueryAsync(
            """
            UPDATE webhook_deliveries SET next_attempt_at = @lease
            WHERE status = 'pending' AND next_attempt_at <= @now
              AND id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit)
            RETURNING id, organisation_id
            """,
            p => p.Add("now", Timestamps.ToMicroseconds(now)).Add("lease", Timestamps.ToMicroseconds(now + Lease)).Add("limit", (long)limit),
            reader => (reader.GetInt64(0), Guid.Parse(reader.GetString(1))),
            cancellationToken);

    /// <summary>A pending delivery and what it carries, or null when it is no longer pending.</summary>
    public async Task<(DeliveryView View, WebhookSnapshot Snapshot)?> GetPendingAsync(long id)
    {
        var rows = await Database.QueryAsync(
            $"SELECT {Columns}, snapshot FROM webhook_deliveries WHERE id = @id AND status = 'pending'",
            p => p.Add("id", id),
            reader => (Read(reader), JsonSerializer.Deserialize<WebhookSnapshot>(reader.GetString(17), SnapshotJson)!));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task RecordDeliveredAsync(long id, int tries, int statusCode, DateTime now) => Database.ExecuteAsync(
        """
        UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + @tries, last_status_code = @code, last_error = NULL, delivered_at = @now
        WHERE id = @id
        """,
        p => p.Add("id", id).Add("tries", tries).Add("code", statusCode).Add("now", Timestamps.ToMicroseconds(now)));

    /// <summary>Records a failed attempt: retried at <paramref name="next"/>, or failed for good when there is none.</summary>
    public Task RecordFailedAsync(long id, int tries, string error, int? statusCode, DateTime? next) => Database.ExecuteAsync(
        """
        UPDATE webhook_deliveries SET attempts = attempts + @tries, last_error = @error, last_status_code = @code,
            status = @status, next_attempt_at = @next
        WHERE id = @id
        """,
        p => p.Add("id", id).Add("tries", tries).Add("error", error.Length > 1000 ? error[..1000] : error).Add("code", statusCode)
            .Add("status", next is null ? DeliveryStatuses.Failed : DeliveryStatuses.Pending)
            .Add("next", Timestamps.ToMicroseconds(next ?? DateTime.UtcNow)));

    /// <summary>Puts a failed delivery back in the queue with a new horizon; false when it had not failed.</summary>
    public async Task<bool> RetryAsync(long id, DateTime now, TimeSpan horizon) =>
        await Database.ExecuteAsync(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now, deadline_at = @deadline WHERE id = @id AND status = 'failed'",
            p => p.Add("id", id).Add("now", Timestamps.ToMicroseconds(now)).Add("deadline", Timestamps.ToMicroseconds(now + horizon))) == 1;

    protected override DeliveryView Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        Guid.Parse(reader.GetString(1)),
        reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2)),
        reader.GetString(3),
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
        reader.IsDBNull(16) ? null : Timestamps.FromMicroseconds(reader.GetInt64(16)));
}
