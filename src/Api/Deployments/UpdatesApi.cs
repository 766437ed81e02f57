using System.Globalization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Deployments;
using Embever.Actors.Devices;

namespace Embever.Actors.Api.Deployments;

/// <summary><c>/v2/updates/</c>: one device's part of a deployment, mirroring its _fota action.</summary>
public static class UpdatesApi
{
    public static IEndpointRouteBuilder MapUpdatesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/updates").WithTags("Updates").RequireAuthorization().ForTenants();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery<UpdateListParameters>()
            .WithName("listUpdates").WithSummary("List the firmware updates of the caller's devices")
            .WithDescription("Filter with `device` and `deployment`.");
        group.MapGet("/{id}/", Get)
            .WithName("getUpdate").WithSummary("Get a firmware update")
            .WithDescription("Where one device's update stands, with the device's result.");
        return routes;
    }

    private static Task<Results<Ok<List<UpdateResource>>, ValidationProblem>> List(
        [AsParameters] UpdateListParameters filters, Caller caller, HttpContext context, UpdateIndex updates) =>
        Paging.ListAsync(context, filters.ToQuery(caller.Scope), updates.ListAsync, u => UpdateResource.From(context, u));

    private static async Task<Results<Ok<UpdateResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, UpdateIndex updates, DeviceIndex devices) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var updateId)
        && await updates.GetAsync(updateId) is { } view
        && await caller.CanSeeAsync(view.OrganisationId, view.DeviceId, devices)
            ? TypedResults.Ok(UpdateResource.From(context, view))
            : Problems.NotFound();
}
