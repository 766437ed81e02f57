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
        group.MapGet("/", List).Produces<List<UpdateResource>>();
        group.MapGet("/{id}/", Get).Produces<UpdateResource>().ProducesProblem(404);
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, UpdateIndex updates)
    {
        var filter = DeviceScope.For(context.GetCaller()).EqualIfGiven("device_id", (string?)context.Request.Query["device"]);
        if (context.Request.Query.TryGetValue("deployment", out var deployment))
        {
            filter.Equal("deployment_id", long.TryParse(deployment, NumberStyles.None, CultureInfo.InvariantCulture, out var deploymentId) ? deploymentId : -1);
        }

        return await Paging.ListAsync(context, updates, filter, u => UpdateResource.From(context, u));
    }

    private static async Task<IResult> Get(HttpContext context, string id, UpdateIndex updates, DeviceIndex devices)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var updateId)
            || await updates.GetAsync(updateId) is not { } view
            || !await DeviceScope.CanSeeAsync(context.GetCaller(), view.OrganisationId, view.DeviceId, devices))
        {
            return Problems.NotFound();
        }

        return TypedResults.Ok(UpdateResource.From(context, view));
    }
}
