using System.Globalization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Applications;
using Embever.Actors.Organisations;
using Embever.Actors.Storage.Index;
using Embever.Actors.Tokens;

namespace Embever.Actors.Api.Tokens;

/// <summary>
/// <c>/v2/tokens/</c>: application tokens of the caller's organisation. The operator token may
/// create a token for a named organisation (how a new organisation gets its first token).
/// </summary>
public static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/tokens").WithTags("Tokens").RequireAuthorization();
        group.MapGet("/", List).ForOrganisationTokens().Produces<List<TokenResource>>()
            .WithName("listTokens").WithSummary("List the organisation's tokens")
            .WithDescription("Organisation-wide tokens only. Secrets are never shown again after creation.");
        group.MapPost("/", Create).Produces<TokenResource>(201).ProducesValidationProblem().ProducesProblem(403)
            .WithName("createToken").WithSummary("Create an organisation or application token (shown once)")
            .WithDescription("An organisation token sees the whole organisation; an application token (`application`) only that application's devices. The token is in the answer once: store it.");
        group.MapGet("/{id}/", Get).ForOrganisationTokens().Produces<TokenResource>().ProducesProblem(404)
            .WithName("getToken").WithSummary("Get a token")
            .WithDescription("Its kind, scope, alias and expiry; never its secret.");
        group.MapDelete("/{id}/", Delete).ForOrganisationTokens().Produces(204).ProducesProblem(404)
            .WithName("revokeToken").WithSummary("Revoke a token")
            .WithDescription("The token and every access token made from it stop working at once.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, TokenIndex index)
    {
        return await Paging.ListAsync(context, page => index.ListAsync(context.GetCaller().Organisation, page), view => TokenResource.From(context, view));
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains, TokenIssuer issuer, TimeProvider time)
    {
        var caller = context.GetCaller();
        if (!caller.IsOperator && !caller.IsOrganisationWide)
        {
            return Problems.Forbidden("Only an organisation-wide token may manage tokens.");
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("alias", "organisation", "application", "expiry_date");
        var alias = fields.String("alias", required: true);
        var organisation = fields.Uuid("organisation", required: caller.IsOperator);
        var application = fields.Uuid("application");
        var expiry = fields.Timestamp("expiry_date");
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        organisation ??= caller.OrganisationId;
        if (!caller.IsOperator && organisation != caller.OrganisationId)
        {
            fields.Error("organisation", "A token can only be made for the caller's own organisation.");
        }
        else if (await grains.GetGrain<IOrganisationGrain>(organisation!.Value).Get() is null)
        {
            fields.Error("organisation", "No such organisation.");
        }

        if (application is { } applicationId && (await grains.GetGrain<IApplicationGrain>(applicationId).Get())?.OrganisationId != organisation)
        {
            fields.Error("application", "No such application in this organisation.");
        }

        if (expiry is { } expiryDate && expiryDate <= time.GetUtcNow().UtcDateTime)
        {
            fields.Error("expiry_date", "Must be in the future.");
        }

        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var kind = application is null ? TokenKind.Organisation : TokenKind.Application;
        var (token, jwt) = await issuer.IssueAsync(kind, organisation, application, alias!, expiry);
        var resource = TokenResource.From(context, token) with { Token = jwt };
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<IResult> Get(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        return view is null ? Problems.NotFound() : TypedResults.Ok(TokenResource.From(context, view));
    }

    private static async Task<IResult> Delete(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        if (view is null)
        {
            return Problems.NotFound();
        }

        await grains.GetGrain<ITokenGrain>(view.Id).Revoke();
        return TypedResults.NoContent();
    }

    private static async Task<TokenView?> Visible(HttpContext context, string id, IGrainFactory grains)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId))
        {
            return null;
        }

        var view = await grains.GetGrain<ITokenGrain>(tokenId).Get();
        return view?.OrganisationId is { } organisation && context.GetCaller().CanSeeOrganisation(organisation) ? view : null;
    }
}
