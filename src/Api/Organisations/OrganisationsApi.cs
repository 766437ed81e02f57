using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Organisations;
using Embever.Actors.Security;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Organisations;

/// <summary>
/// <c>/v2/organisations/</c> (and the singular alias <c>/v2/organisation/{id}/</c>). A tenant
/// sees only its own organisation; only the operator token creates organisations.
/// </summary>
public static class OrganisationsApi
{
    public static IEndpointRouteBuilder MapOrganisationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/organisations").WithTags("Organisations").RequireAuthorization();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery()
            .WithName("listOrganisations").WithSummary("List the caller's organisation (the operator: every organisation)")
            .WithDescription("A tenant's organisation token sees only its own organisation; the operator sees them all.");
        group.MapPost("/", Create)
            .WithName("createOrganisation").WithSummary("Create an organisation (operator)")
            .WithDescription("Operator token only. The answer holds the organisation's first token.");
        group.MapDelete("/{id}/", Delete)
            .WithName("deleteOrganisation").WithSummary("Delete an organisation and erase everything it holds (operator)")
            .WithDescription("Operator token only; refused (409) while devices belong to it. Its tokens stop working at once; its applications, firmwares, files, deployments, events, actions and webhook deliveries are erased in the background within minutes.");
        // The v2 document names both the plural and the singular path for one organisation.
        foreach (var (prefix, suffix, also) in new[] { ("/v2/organisations", "", ""), ("/v2/organisation", "Singular", " The same as under /v2/organisations/.") })
        {
            var item = routes.MapGroup(prefix).WithTags("Organisations").RequireAuthorization().ForOrganisationTokens();
            item.MapGet("/{id}/", Get)
                .WithName("getOrganisation" + suffix).WithSummary("Get the caller's organisation")
                .WithDescription("Its address and token lifespan; never its secret." + also);
            item.MapPatch("/{id}/", Update)
                .WithName("updateOrganisation" + suffix).WithSummary("Change the organisation's secret or token lifespan")
                .WithDescription("The secret signs X-Org-Token on webhooks; the lifespan bounds the organisation's access tokens." + also);
        }

        return routes;
    }

    private static async Task<Results<Ok<List<OrganisationResource>>, ValidationProblem, ForbiddenProblem>> List(Caller caller, HttpContext context, OrganisationIndex index)
    {
        if (!caller.IsOperator && !caller.IsOrganisationWide)
        {
            return Problems.Forbidden("Only an organisation-wide token or the operator lists organisations.");
        }

        var listed = await Paging.ListAsync(
            context,
            page => caller.IsOperator ? index.ListAllAsync(page) : index.ListAsync(caller.Organisation, page),
            view => OrganisationResource.From(context, view));
        return listed.Result switch
        {
            Ok<List<OrganisationResource>> page => page,
            ValidationProblem invalid => invalid,
            _ => throw new InvalidOperationException("A list answers a page or a refusal."),
        };
    }

    private static async Task<Results<Created<OrganisationResource>, ForbiddenProblem>> Create(
        CreateOrganisationRequest request, Caller caller, HttpContext context, IGrainFactory grains)
    {
        if (!caller.IsOperator)
        {
            return Problems.Forbidden("Only the operator token creates organisations.");
        }

        var draft = new OrganisationDraft(
            request.Name,
            request.Street ?? "",
            request.StreetNumber ?? "",
            request.PostalCode ?? "",
            request.City ?? "",
            request.Country ?? "",
            request.MaxTokenLifespanInSeconds ?? 300,
            request.Secret ?? Secrets.New(),
            request.Retention?.ToPeriods());
        var view = await grains.GetGrain<IOrganisationGrain>(Guid.NewGuid()).Create(draft);
        var resource = OrganisationResource.From(context, view) with { Secret = draft.Secret };
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<Results<Ok<OrganisationResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view ? TypedResults.Ok(OrganisationResource.From(context, view)) : Problems.NotFound();

    private static async Task<Results<Ok<OrganisationResource>, NotFoundProblem>> Update(
        string id, UpdateOrganisationRequest request, Caller caller, HttpContext context, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view
        && await grains.GetGrain<IOrganisationGrain>(view.Id).Update(new OrganisationPatch(request.Secret, request.MaxTokenLifespanInSeconds, request.Retention?.ToPeriods())) is { } updated
            ? TypedResults.Ok(OrganisationResource.From(context, updated) with { Secret = request.Secret })
            : Problems.NotFound();

    private static async Task<Results<NoContent, NotFoundProblem, ConflictProblem, ForbiddenProblem>> Delete(
        string id, Caller caller, IGrainFactory grains, OrganisationIndex index)
    {
        if (!caller.IsOperator)
        {
            return Problems.Forbidden("Only the operator token deletes organisations.");
        }

        if (!Guid.TryParse(id, out var organisationId) || await grains.GetGrain<IOrganisationGrain>(organisationId).Get() is null)
        {
            return Problems.NotFound();
        }

        var devices = await index.DeleteUnlessDevicesAsync(organisationId);
        if (devices > 0)
        {
            return Problems.Conflict($"{devices} device(s) belong to this organisation; delete them first.");
        }

        await grains.GetGrain<IOrganisationGrain>(organisationId).Delete();
        return TypedResults.NoContent();
    }

    /// <summary>The organisation of a <c>/{id}/</c> route, if it is the caller's: every 404 of organisations comes from here.</summary>
    private static async Task<OrganisationView?> Find(string id, Caller caller, IGrainFactory grains) =>
        Guid.TryParse(id, out var organisationId) && caller.CanSeeOrganisation(organisationId)
            ? await grains.GetGrain<IOrganisationGrain>(organisationId).Get()
            : null;
}
