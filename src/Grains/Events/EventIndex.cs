using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Events;

/// <summary>The append-only events table.</summary>
public sealed class EventIndex(Database database) : IndexTable<EventView>(database, "events")
{
    public static void Insert(SqlBatch batch, EventView view) => batch.Add(
        "INSERT INTO events (id, organisation_id, device_id, type, created_at, body) VALUES ({0}, {1}, {2}, {3}, {4}, {5})",
        view.Id, view.OrganisationId.ToString(), view.DeviceId, view.Type, Timestamps.ToMicroseconds(view.CreatedAt), Serialize(view));
}
