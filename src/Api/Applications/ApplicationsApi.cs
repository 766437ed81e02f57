using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Applications;
using Embever.Actors.Devices;
using Embever.Actors.Organisations;
using Embever.Actors.Retention;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Applications;

/// <summary><c>/v2/applications/</c>: groups of devices, managed by organisation-wide tokens.</summary>
public static class ApplicationsApi
{
    public static IEndpointRouteBuilder MapApplicationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/applications").WithTags("Applications").RequireAuthorization().ForOrganisationTokens();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery()
            .WithName("listApplications").WithSummary("List the organisation's applications")
            .WithDescription("Oldest first.");
        group.MapPost("/", Create)
            .WithName("createApplication").WithSummary("Create an application")
            .WithDescription("An application groups devices and has its own tokens and webhook-signing secret (X-App-Token).");
        group.MapGet("/{id}/", Get)
            .WithName("getApplication").WithSummary("Get an application")
            .WithDescription("Its alias and description; never its secret.");
        group.MapPatch("/{id}/", Update)
            .WithName("updateApplication").WithSummary("Change an application")
            .WithDescription("Change its alias, description or secret; absent fields stay as they are.");
        group.MapDelete("/{id}/", Delete)
            .WithName("deleteApplication").WithSummary("Delete an application and revoke its tokens")
            .WithDescription("Revokes its tokens; refused (409) while devices are linked to it.");
        return routes;
    }

    private static async Task<Results<Ok<List<ApplicationResource>>, ValidationProblem>> List(Caller caller, HttpContext context, ApplicationIndex index, IGrainFactory grains)
    {
        var organisation = await OrganisationRetentionAsync(caller.Organisation, grains);
        return await Paging.ListAsync(context, page => index.ListAsync(caller.Organisation, page), view => ApplicationResource.From(context, view, organisation));
    }

    private static async Task<Created<ApplicationResource>> Create(CreateApplicationRequest request, Caller caller, HttpContext context, IGrainFactory grains)
    {
        var draft = new ApplicationDraft(caller.Organisation, request.Alias, request.Description ?? "", request.Secret, request.Retention?.ToPeriods());
        var view = await grains.GetGrain<IApplicationGrain>(Guid.NewGuid()).Create(draft);
        var resource = ApplicationResource.From(context, view, await OrganisationRetentionAsync(view.OrganisationId, grains));
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<Results<Ok<ApplicationResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view
            ? TypedResults.Ok(ApplicationResource.From(context, view, await OrganisationRetentionAsync(view.OrganisationId, grains)))
            : Problems.NotFound();

    private static async Task<Results<Ok<ApplicationResource>, NotFoundProblem>> Update(
        string id, UpdateApplicationRequest request, Caller caller, HttpContext context, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view
        && await grains.GetGrain<IApplicationGrain>(view.Id).Update(new ApplicationPatch(request.Alias, request.Description, request.Secret, request.Retention?.ToPeriods())) is { } updated
            ? TypedResults.Ok(ApplicationResource.From(context, updated, await OrganisationRetentionAsync(view.OrganisationId, grains)))
            : Problems.NotFound();

    /// <summary>What the organisation set, which its applications inherit.</summary>
    private static async Task<RetentionPeriods?> OrganisationRetentionAsync(Guid organisation, IGrainFactory grains) =>
        (await grains.GetGrain<IOrganisationGrain>(organisation).Get())?.Retention;

    private static async Task<Results<NoContent, NotFoundProblem, ConflictProblem>> Delete(string id, Caller caller, IGrainFactory grains, ApplicationIndex applications)
    {
        if (await Find(id, caller, grains) is not { } view)
        {
            return Problems.NotFound();
        }

        // Devices keep working without an application, but silently unlinking a fleet is a
        // surprise nobody wants: ask for the devices to be unlinked (or moved) first.
        var linked = await applications.DeleteUnlessLinkedAsync(view.OrganisationId, view.Id);
        if (linked > 0)
        {
            return Problems.Conflict($"{linked} device(s) are linked to this application; unlink them first.");
        }

        await grains.GetGrain<IApplicationGrain>(view.Id).Delete();
        return TypedResults.NoContent();
    }

    /// <summary>The application of a <c>/{id}/</c> route, if the caller may see it: every 404 of applications comes from here.</summary>
    private static async Task<ApplicationView?> Find(string id, Caller caller, IGrainFactory grains) =>
        Guid.TryParse(id, out var applicationId) && await grains.GetGrain<IApplicationGrain>(applicationId).Get() is { } view && caller.CanSeeOrganisation(view.OrganisationId)
            ? view
            : null;
}
