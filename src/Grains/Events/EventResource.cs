using Embever.Actors.Platform;

namespace Embever.Actors.Events;

/// <summary>An event as the API shows it and as its webhooks carry it.</summary>
public sealed record EventResource(string Url, long Id, string Device, string Type, RawJson Payload, DateTime CreatedAt)
{
    public static EventResource From(string baseUrl, EventView view) =>
        new(ResourceUrl.Of(baseUrl, "events", view.Id), view.Id, view.DeviceId, view.Type, RawJson.From(view.PayloadJson), view.CreatedAt);
}
