using System.Globalization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Events;

namespace Embever.Actors.Api.Events;

/// <summary><c>/v2/events/</c>: what devices sent. Read-only: events come only from devices, through the gateway.</summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/events").WithTags("Events").RequireAuthorization().ForTenants();
        group.MapGet("/", List).Produces<List<EventResource>>()
            .WithName("listEvents").WithSummary("List the events of the caller's devices")
            .WithDescription("Oldest first. Filter with `type` and `device`. An application token sees only its devices' events.");
        group.MapGet("/{id}/", Get).Produces<EventResource>().ProducesProblem(404)
            .WithName("getEvent").WithSummary("Get an event")
            .WithDescription("An event as the device reported it, with its payload as sent.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, EventIndex events)
    {
        var query = new EventQuery(context.GetCaller().Scope, context.Request.Query["type"], context.Request.Query["device"]);
        return await Paging.ListAsync(context, page => events.ListAsync(query, page), e => EventResource.From(ResourceUrls.Base(context), e));
    }

    private static async Task<IResult> Get(HttpContext context, string id, EventIndex events, DeviceIndex devices)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId)
            || await events.GetAsync(eventId) is not { } view
            || !await context.GetCaller().CanSeeAsync(view.OrganisationId, view.DeviceId, devices))
        {
            return Problems.NotFound();
        }

        return TypedResults.Ok(EventResource.From(ResourceUrls.Base(context), view));
    }
}
