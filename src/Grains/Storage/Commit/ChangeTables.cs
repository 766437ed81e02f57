using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Devices;
using Embever.Actors.Events;
using Embever.Actors.Platform;
using Embever.Actors.Storage.Index;
using Embever.Actors.Webhooks;

namespace Embever.Actors.Storage.Commit;

/// <summary>
/// The rows a <see cref="ChangeSet"/> writes, table by table: the one place where a device, an
/// action, an update, an event, a webhook delivery and its outcome become columns.
/// </summary>
public static class ChangeTables
{
    private static readonly Column<DeviceRecord>[] DeviceColumns =
    [
        Column.Text<DeviceRecord>("id", d => d.View.Id),
        Column.Text<DeviceRecord>("organisation_id", d => d.View.OrganisationId.ToString()),
        Column.Text<DeviceRecord>("application_id", d => d.View.ApplicationId?.ToString()),
        Column.Text<DeviceRecord>("name", d => d.View.Name),
        Column.Text<DeviceRecord>("type", d => d.View.Type),
        Column.Boolean<DeviceRecord>("activated", d => d.View.Activated),
        Column.Int64<DeviceRecord>("created_at", d => Timestamps.ToMicroseconds(d.View.CreatedAt)),
        Column.Text<DeviceRecord>("body", d => RowBody.Serialize(d.View)),
        Column.Bytes<DeviceRecord>("password_hash", d => d.PasswordHash),
        Column.Bytes<DeviceRecord>("sealed_password", d => d.SealedPassword),
    ];

    public static readonly Table<DeviceRecord> NewDevices = new("devices", TableWrite.Insert, DeviceColumns);

    public static readonly Table<DeviceRecord> ChangedDevices = new(
        "devices", TableWrite.Upsert, DeviceColumns, ["application_id", "name", "type", "activated", "body", "password_hash"]);

    public static readonly Table<string> DeletedDevices = new("devices", TableWrite.Delete, [Column.Text<string>("id", id => id)]);

    public static readonly Table<DeviceAction> Actions = new(
        "actions",
        TableWrite.Upsert,
        [
            Column.Int64<DeviceAction>("id", a => a.Id),
            Column.Text<DeviceAction>("organisation_id", a => a.OrganisationId.ToString()),
            Column.Text<DeviceAction>("device_id", a => a.DeviceId),
            Column.Text<DeviceAction>("type", a => a.Type),
            Column.Text<DeviceAction>("file_id", a => a.FileId),
            Column.Boolean<DeviceAction>("finished", a => a.Finished),
            Column.Int64<DeviceAction>("created_at", a => Timestamps.ToMicroseconds(a.CreatedAt)),
            Column.Text<DeviceAction>("body", RowBody.Serialize),
        ],
        ["finished", "body"]);

    public static readonly Table<UpdateView> Updates = new(
        "updates",
        TableWrite.Upsert,
        [
            Column.Int64<UpdateView>("id", u => u.Id),
            Column.Text<UpdateView>("organisation_id", u => u.OrganisationId.ToString()),
            Column.Int64<UpdateView>("deployment_id", u => u.DeploymentId),
            Column.Text<UpdateView>("device_id", u => u.DeviceId),
            Column.Boolean<UpdateView>("finished", u => u.Finished),
            Column.Int64<UpdateView>("created_at", u => Timestamps.ToMicroseconds(u.CreatedAt)),
            Column.Text<UpdateView>("body", RowBody.Serialize),
        ],
        ["finished", "body"]);

    public static readonly Table<EventView> Events = new(
        "events",
        TableWrite.Insert,
        [
            Column.Int64<EventView>("id", e => e.Id),
            Column.Text<EventView>("organisation_id", e => e.OrganisationId.ToString()),
            Column.Text<EventView>("device_id", e => e.DeviceId),
            Column.Text<EventView>("type", e => e.Type),
            Column.Int64<EventView>("created_at", e => Timestamps.ToMicroseconds(e.CreatedAt)),
            Column.Text<EventView>("body", RowBody.Serialize),
        ]);

    /// <summary>Outbox rows start pending, claimed for the immediate dispatch that follows the commit.</summary>
    public static readonly Table<OutboxEntry> Deliveries = new(
        "webhook_deliveries",
        TableWrite.Insert,
        [
            Column.Int64<OutboxEntry>("id", o => o.Delivery.Id),
            Column.Text<OutboxEntry>("organisation_id", o => o.Delivery.OrganisationId.ToString()),
            Column.Text<OutboxEntry>("application_id", o => o.Delivery.ApplicationId?.ToString()),
            Column.Text<OutboxEntry>("device_id", o => o.Delivery.DeviceId),
            Column.NullableInt64<OutboxEntry>("action_id", o => o.Delivery.ActionId),
            Column.NullableInt64<OutboxEntry>("event_id", o => o.Delivery.EventId),
            Column.Text<OutboxEntry>("trigger", o => o.Delivery.Trigger),
            Column.Text<OutboxEntry>("url", o => o.Delivery.Url),
            Column.Boolean<OutboxEntry>("payload_only", o => o.Delivery.PayloadOnly),
            Column.Text<OutboxEntry>("status", _ => DeliveryStatuses.Pending),
            Column.Int64<OutboxEntry>("attempts", _ => 0),
            Column.Int64<OutboxEntry>("next_attempt_at", o => Timestamps.ToMicroseconds(o.Delivery.CreatedAt + WebhookOutbox.Lease)),
            Column.Int64<OutboxEntry>("deadline_at", o => Timestamps.ToMicroseconds(o.Delivery.CreatedAt + o.Horizon)),
            Column.Int64<OutboxEntry>("created_at", o => Timestamps.ToMicroseconds(o.Delivery.CreatedAt)),
            Column.Text<OutboxEntry>("body", o => o.Delivery.Body),
            Column.NullableInt64<OutboxEntry>("deployment_id", o => o.Delivery.DeploymentId),
        ]);

    public static readonly Table<DeliveryOutcome> DeliveryOutcomes = new(
        "webhook_deliveries",
        TableWrite.Update,
        [
            Column.Int64<DeliveryOutcome>("id", o => o.Id),
            Column.Text<DeliveryOutcome>("status", o => o.Status),
            Column.Int64<DeliveryOutcome>("attempts", o => o.Attempts),
            Column.Int64<DeliveryOutcome>("next_attempt_at", o => Timestamps.ToMicroseconds(o.NextAttemptAt)),
            Column.Text<DeliveryOutcome>("last_error", o => o.LastError),
            Column.NullableInt32<DeliveryOutcome>("last_status_code", o => o.LastStatusCode),
            Column.NullableInt64<DeliveryOutcome>("delivered_at", o => o.DeliveredAt is { } at ? Timestamps.ToMicroseconds(at) : null),
        ]);
}
