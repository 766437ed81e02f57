using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Applications;
using Embever.Actors.Devices;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Applications;

/// <summary><c>/v2/applications/</c>: groups of devices, managed by organisation-wide tokens.</summary>
public static class ApplicationsApi
{
    public static IEndpointRouteBuilder MapApplicationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/applications").WithTags("Applications").RequireAuthorization().ForOrganisationTokens();
        group.MapGet("/", List).Produces<List<ApplicationResource>>()
            .WithName("listApplications").WithSummary("List the organisation's applications")
            .WithDescription("Oldest first.");
        group.MapPost("/", Create).Produces<ApplicationResource>(201).ProducesValidationProblem()
            .WithName("createApplication").WithSummary("Create an application")
            .WithDescription("An application groups devices and has its own tokens and webhook-signing secret (X-App-Token).");
        group.MapGet("/{id}/", Get).Produces<ApplicationResource>().ProducesProblem(404)
            .WithName("getApplication").WithSummary("Get an application")
            .WithDescription("Its alias and description; never its secret.");
        group.MapPatch("/{id}/", Update).Produces<ApplicationResource>().ProducesValidationProblem().ProducesProblem(404)
            .WithName("updateApplication").WithSummary("Change an application")
            .WithDescription("Change its alias, description or secret; absent fields stay as they are.");
        group.MapDelete("/{id}/", Delete).Produces(204).ProducesProblem(404).ProducesProblem(409)
            .WithName("deleteApplication").WithSummary("Delete an application and revoke its tokens")
            .WithDescription("Revokes its tokens; refused (409) while devices are linked to it.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, ApplicationIndex index)
    {
        return await Paging.ListAsync(context, page => index.ListAsync(context.GetCaller().Organisation, page), view => ApplicationResource.From(context, view));
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("alias", "description", "secret");
        var draft = new ApplicationDraft(
            context.GetCaller().Organisation,
            fields.String("alias", required: true)!,
            fields.String("description", maxLength: 4096, allowEmpty: true) ?? "",
            fields.String("secret", required: true, maxLength: 1024)!);
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var view = await grains.GetGrain<IApplicationGrain>(Guid.NewGuid()).Create(draft);
        var resource = ApplicationResource.From(context, view);
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<IResult> Get(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        return view is null ? Problems.NotFound() : TypedResults.Ok(ApplicationResource.From(context, view));
    }

    private static async Task<IResult> Update(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        if (view is null)
        {
            return Problems.NotFound();
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("alias", "description", "secret");
        var patch = new ApplicationPatch(
            fields.String("alias"),
            fields.String("description", maxLength: 4096, allowEmpty: true),
            fields.String("secret", maxLength: 1024));
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var updated = await grains.GetGrain<IApplicationGrain>(view.Id).Update(patch);
        return updated is null ? Problems.NotFound() : TypedResults.Ok(ApplicationResource.From(context, updated));
    }

    private static async Task<IResult> Delete(HttpContext context, string id, IGrainFactory grains, ApplicationIndex applications)
    {
        var view = await Visible(context, id, grains);
        if (view is null)
        {
            return Problems.NotFound();
        }

        // Devices keep working without an application, but silently unlinking a fleet is a
        // surprise nobody wants: ask for the devices to be unlinked (or moved) first.
        var linked = await applications.DeleteUnlessLinkedAsync(view.Id);
        if (linked > 0)
        {
            return Problems.Conflict($"{linked} device(s) are linked to this application; unlink them first.");
        }

        await grains.GetGrain<IApplicationGrain>(view.Id).Delete();
        return TypedResults.NoContent();
    }

    internal static async Task<ApplicationView?> Visible(HttpContext context, string id, IGrainFactory grains)
    {
        if (!Guid.TryParse(id, out var applicationId))
        {
            return null;
        }

        var view = await grains.GetGrain<IApplicationGrain>(applicationId).Get();
        return view is not null && context.GetCaller().CanSeeOrganisation(view.OrganisationId) ? view : null;
    }
}
