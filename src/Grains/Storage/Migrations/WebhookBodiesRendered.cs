using System.Data.Common;
using System.Text.Json;
using Embever.Actors.Actions;
using Embever.Actors.Events;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Storage.Migrations;

/// <summary>
/// Migration 009: deliveries written before 008 hold what their body was rendered from (the
/// action or event as C# objects, serialised); each is rendered into the body it would have
/// been sent with, so a pending or retried one goes out as it always would have.
/// </summary>
public sealed class WebhookBodiesRendered(IOptions<WebhookOptions> options) : IDataMigration
{
    private const int PageSize = 1000;
    private static readonly JsonSerializerOptions LegacyJson = new(JsonSerializerDefaults.General);

    public string Id => "009_webhook_bodies_rendered";

    public async Task ApplyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        // One prepared statement, rebound for each row.
        await using var update = Database.Prepare(
            connection, "UPDATE webhook_deliveries SET body = @body WHERE id = @id", p => p.Add("body", "").Add("id", 0L), transaction);
        var (body, id) = (update.Parameters[0], update.Parameters[1]);
        for (var after = long.MinValue; ;)
        {
            var page = await ReadPageAsync(connection, transaction, after, cancellationToken);
            if (page.Count == 0)
            {
                return;
            }

            foreach (var (rowId, payloadOnly, snapshot) in page)
            {
                body.Value = Render(snapshot, payloadOnly);
                id.Value = rowId;
                await update.ExecuteNonQueryAsync(cancellationToken);
            }

            after = page[^1].Id;
        }
    }

    private string Render(string snapshot, bool payloadOnly)
    {
        var legacy = JsonSerializer.Deserialize<LegacySnapshot>(snapshot, LegacyJson)
            ?? throw new InvalidOperationException("A webhook delivery without a snapshot.");
        var publicUrl = options.Value.PublicUrl;
        return legacy switch
        {
            { Action: { } action } => WebhookBody.Of(publicUrl, action, legacy.DeviceName, payloadOnly),
            { Event: { } view } => WebhookBody.Of(publicUrl, view, payloadOnly),
            _ => throw new InvalidOperationException("A webhook snapshot carries an action or an event."),
        };
    }

    private static async Task<List<(long Id, bool PayloadOnly, string Snapshot)>> ReadPageAsync(
        DbConnection connection, DbTransaction transaction, long after, CancellationToken cancellationToken)
    {
        await using var select = Database.Prepare(
            connection,
            "SELECT id, payload_only, body FROM webhook_deliveries WHERE id > @after ORDER BY id LIMIT @limit",
            p => p.Add("after", after).Add("limit", (long)PageSize),
            transaction);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var page = new List<(long, bool, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add((reader.GetInt64(0), Convert.ToBoolean(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(2)));
        }

        return page;
    }

    /// <summary>What releases up to 008 stored in place of the body.</summary>
    private sealed record LegacySnapshot(DeviceAction? Action, EventView? Event, string? DeviceName);
}
