using Embever.Actors.Api.Http;
using Embever.Actors.Events;

namespace Embever.Actors.Api.Events;

public sealed record EventResource(string Url, long Id, string Device, string Type, RawJson Payload, DateTime CreatedAt)
{
    public static EventResource From(HttpContext context, EventView view) => From(ResourceUrls.Base(context), view);

    public static EventResource From(string baseUrl, EventView view) =>
        new(ResourceUrls.Of(baseUrl, "events", view.Id), view.Id, view.DeviceId, view.Type, RawJson.From(view.PayloadJson), view.CreatedAt);
}
