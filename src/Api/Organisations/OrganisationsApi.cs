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
    private const int MaxLifespan = 365 * 24 * 3600;

    public static IEndpointRouteBuilder MapOrganisationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/organisations").WithTags("Organisations").RequireAuthorization();
        group.MapGet("/", List).ForOrganisationTokens().Produces<List<OrganisationResource>>()
            .WithName("listOrganisations").WithSummary("List the caller's organisation")
            .WithDescription("A tenant sees only its own organisation.");
        group.MapPost("/", Create).Produces<OrganisationResource>(201).ProducesValidationProblem().ProducesProblem(403)
            .WithName("createOrganisation").WithSummary("Create an organisation (operator)")
            .WithDescription("Operator token only. The answer holds the organisation's first token.");
        // The v2 document names both the plural and the singular path for one organisation.
        foreach (var (prefix, suffix, also) in new[] { ("/v2/organisations", "", ""), ("/v2/organisation", "Singular", " The same as under /v2/organisations/.") })
        {
            var item = routes.MapGroup(prefix).WithTags("Organisations").RequireAuthorization().ForOrganisationTokens();
            item.MapGet("/{id}/", Get).Produces<OrganisationResource>().ProducesProblem(404)
                .WithName("getOrganisation" + suffix).WithSummary("Get the caller's organisation")
                .WithDescription("Its address and token lifespan; never its secret." + also);
            item.MapPatch("/{id}/", Update).Produces<OrganisationResource>().ProducesValidationProblem().ProducesProblem(404)
                .WithName("updateOrganisation" + suffix).WithSummary("Change the organisation's secret or token lifespan")
                .WithDescription("The secret signs X-Org-Token on webhooks; the lifespan bounds the organisation's access tokens." + also);
        }

        return routes;
    }

    private static async Task<IResult> List(HttpContext context, OrganisationIndex index)
    {
        return await Paging.ListAsync(context, page => index.ListAsync(context.GetCaller().Organisation, page), view => OrganisationResource.From(context, view));
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains)
    {
        if (!context.GetCaller().IsOperator)
        {
            return Problems.Forbidden("Only the operator token creates organisations.");
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("name", "street", "street_number", "postal_code", "city", "country", "max_token_lifespan_in_seconds", "secret");
        var draft = new OrganisationDraft(
            fields.String("name", required: true)!,
            fields.String("street", allowEmpty: true) ?? "",
            fields.String("street_number", allowEmpty: true) ?? "",
            fields.String("postal_code", allowEmpty: true) ?? "",
            fields.String("city", allowEmpty: true) ?? "",
            fields.String("country", allowEmpty: true) ?? "",
            fields.Int("max_token_lifespan_in_seconds", 1, MaxLifespan) ?? 300,
            fields.String("secret", maxLength: 1024) ?? Secrets.New());
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var view = await grains.GetGrain<IOrganisationGrain>(Guid.NewGuid()).Create(draft);
        var resource = OrganisationResource.From(context, view) with { Secret = draft.Secret };
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<IResult> Get(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        return view is null ? Problems.NotFound() : TypedResults.Ok(OrganisationResource.From(context, view));
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

        var fields = new JsonFields(body).Allow("secret", "max_token_lifespan_in_seconds");
        var patch = new OrganisationPatch(fields.String("secret", maxLength: 1024), fields.Int("max_token_lifespan_in_seconds", 1, MaxLifespan));
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var updated = await grains.GetGrain<IOrganisationGrain>(view.Id).Update(patch);
        return updated is null
            ? Problems.NotFound()
            : TypedResults.Ok(OrganisationResource.From(context, updated) with { Secret = patch.Secret });
    }

    private static async Task<OrganisationView?> Visible(HttpContext context, string id, IGrainFactory grains) =>
        Guid.TryParse(id, out var organisationId) && context.GetCaller().CanSeeOrganisation(organisationId)
            ? await grains.GetGrain<IOrganisationGrain>(organisationId).Get()
            : null;
}
