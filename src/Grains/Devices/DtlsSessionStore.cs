using System.Globalization;
using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Devices;

/// <summary>
/// DTLS sessions in the store, so that any silo, or a restarted one, continues a session from
/// its Connection ID (<c>013_dtls_sessions.sql</c>). A session is written once when its
/// handshake completes, through the group commit. Reserving write sequence numbers (when a
/// holder's block runs out, and when a silo takes a session it did not hold) is one atomic
/// update that returns the new limit: whatever any holder sent lies below the limit it was
/// given, so the next holder starts above it.
/// </summary>
public sealed class DtlsSessionStore(Database database, PlatformKeys keys)
{
    private const string Columns = "connection_id, device_id, suite, sealed_keys, client_cid, write_seq_limit, read_high, last_active";

    public Task SaveAsync(DtlsSessionRow row) =>
        new SqlBatch().Add(
            $"INSERT INTO dtls_sessions ({Columns}) VALUES ({{0}}, {{1}}, {{2}}, {{3}}, {{4}}, {{5}}, {{6}}, {{7}})",
            row.ConnectionId,
            row.DeviceId,
            row.Suite,
            keys.PasswordSeal.Seal(Context(row.ConnectionId), row.Keys),
            row.ClientConnectionId,
            row.WriteLimit,
            row.ReadHigh,
            Timestamps.ToMicroseconds(row.LastActive)).ExecuteAsync(database);

    /// <summary>A stored session, its keys opened; null when there is none (or its keys do not open). A read: junk costs no write.</summary>
    public async Task<DtlsSessionRow?> FindAsync(long connectionId)
    {
        var rows = await database.QueryAsync(
            $"SELECT {Columns} FROM dtls_sessions WHERE connection_id = @id",
            p => p.Add("id", connectionId),
            reader => new DtlsSessionRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt32(2),
                (byte[])reader.GetValue(3),
                reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                Timestamps.FromMicroseconds(reader.GetInt64(7))));
        return rows is [var row] && keys.PasswordSeal.Open(Context(connectionId), row.Keys) is { } opened ? row with { Keys = opened } : null;
    }

    /// <summary>
    /// Reserves the next block of write sequence numbers: the new limit, and the newest record the
    /// store knows was accepted (by any holder); null when the session is gone.
    /// </summary>
    public async Task<(long Limit, long ReadHigh)?> ReserveAsync(long connectionId, long block, DateTime now)
    {
        var rows = await database.QueryAsync(
            "UPDATE dtls_sessions SET write_seq_limit = write_seq_limit + @block, last_active = @now WHERE connection_id = @id RETURNING write_seq_limit, read_high",
            p => p.Add("block", block).Add("now", Timestamps.ToMicroseconds(now)).Add("id", connectionId),
            reader => (reader.GetInt64(0), reader.GetInt64(1)));
        return rows is [var row] ? row : null;
    }

    /// <summary>The newest record accepted and the session's last activity (through the group commit).</summary>
    public Task MarkAsync(long connectionId, long readHigh, DateTime lastActive) =>
        new SqlBatch().Add(
            "UPDATE dtls_sessions SET read_high = {0}, last_active = {1} WHERE connection_id = {2} AND read_high < {0}",
            readHigh,
            Timestamps.ToMicroseconds(lastActive),
            connectionId).ExecuteAsync(database);

    public Task DeleteAsync(long connectionId) =>
        new SqlBatch().Add("DELETE FROM dtls_sessions WHERE connection_id = {0}", connectionId).ExecuteAsync(database);

    /// <summary>Deletes sessions idle since before <paramref name="before"/>; returns how many.</summary>
    public Task<int> DeleteIdleAsync(DateTime before) =>
        database.ExecuteAsync("DELETE FROM dtls_sessions WHERE last_active < @before", p => p.Add("before", Timestamps.ToMicroseconds(before)));

    public Task<long> CountAsync() => database.ScalarAsync<long>("SELECT count(*) FROM dtls_sessions");

    private static string Context(long connectionId) => "dtls-session:" + connectionId.ToString(CultureInfo.InvariantCulture);
}
