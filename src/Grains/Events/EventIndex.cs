using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Events;

/// <summary>The append-only events table.</summary>
public sealed class EventIndex(Database database) : IndexTable<EventView>(database, "events")
{
    public Task<Page<EventView>> ListAsync(EventQuery query, PageRequest page) => ListAsync(query.ToFilter(), page);
}
