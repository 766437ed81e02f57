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
        group.MapGet("/", List).Produces<List<UpdateResource>>()
            .WithName("listUpdates").WithSummary("List the firmware updates of the caller's devices")
            .WithDescription("Filter with `device` and `deployment`.");
        group.MapGet("/{id}/", Get).Produces<UpdateResource>().ProducesProblem(404)
            .WithName("getUpdate").WithSummary("Get a firmware update")
            .WithDescription("Where one device's update stands, with the device's result.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, UpdateIndex updates)
    {
        long? deployment = null;
        if (context.Request.Query.TryGetValue("deployment", out var deploymentText))
        {
            // A deployment id that cannot exist matches nothing: an empty list, not an error.
            deployment = long.TryParse(deploymentText, NumberStyles.None, CultureInfo.InvariantCulture, out var deploymentId) ? deploymentId : -1;
        }

        var query = new UpdateQuery(context.GetCaller().Scope, context.Request.Query["device"], deployment);
        return await Paging.ListAsync(context, page => updates.ListAsync(query, page), u => UpdateResource.From(context, u));
    }

    private static async Task<IResult> Get(HttpContext context, string id, UpdateIndex updates, DeviceIndex devices)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var updateId)
            || await updates.GetAsync(updateId) is not { } view
            || !await context.GetCaller().CanSeeAsync(view.OrganisationId, view.DeviceId, devices))
        {
            return Problems.NotFound();
        }

        return TypedResults.Ok(UpdateResource.From(context, view));
    }
}
