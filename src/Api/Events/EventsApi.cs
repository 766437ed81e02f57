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
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery<EventListParameters>(incremental: true)
            .WithName("listEvents").WithSummary("List the events of the caller's devices")
            .WithDescription("Oldest first. Filter with `type` and `device`. An application token sees only its devices' events.");
        group.MapGet("/{id}/", Get)
            .WithName("getEvent").WithSummary("Get an event")
            .WithDescription("An event as the device reported it, with its payload as sent.");
        return routes;
    }

    private static Task<Results<Ok<List<EventResource>>, ValidationProblem>> List(
        [AsParameters] EventListParameters filters, Caller caller, HttpContext context, EventIndex events) =>
        Paging.ListAsync(context, page => events.ListAsync(new EventQuery(caller.Scope, filters.Type, filters.Device), page), e => EventResource.From(ResourceUrls.Base(context), e));

    private static async Task<Results<Ok<EventResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, EventIndex events, DeviceIndex devices) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId)
        && await events.GetAsync(eventId) is { } view
        && await caller.CanSeeAsync(view.OrganisationId, view.DeviceId, devices)
            ? TypedResults.Ok(EventResource.From(ResourceUrls.Base(context), view))
            : Problems.NotFound();
}
