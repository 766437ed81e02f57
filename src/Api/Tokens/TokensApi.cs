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
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery().ForOrganisationTokens()
            .WithName("listTokens").WithSummary("List the organisation's tokens")
            .WithDescription("Organisation-wide tokens only. Secrets are never shown again after creation.");
        group.MapPost("/", Create)
            .WithName("createToken").WithSummary("Create an organisation or application token (shown once)")
            .WithDescription("An organisation token sees the whole organisation; an application token (`application`) only that application's devices. The token is in the answer once: store it.");
        group.MapGet("/{id}/", Get).ForOrganisationTokens()
            .WithName("getToken").WithSummary("Get a token")
            .WithDescription("Its kind, scope, alias and expiry; never its secret.");
        group.MapDelete("/{id}/", Delete).ForOrganisationTokens()
            .WithName("revokeToken").WithSummary("Revoke a token")
            .WithDescription("The token and every access token made from it stop working at once.");
        return routes;
    }

    private static Task<Results<Ok<List<TokenResource>>, ValidationProblem>> List(Caller caller, HttpContext context, TokenIndex index) =>
        Paging.ListAsync(context, page => index.ListAsync(caller.Organisation, page), view => TokenResource.From(context, view));

    private static async Task<Results<Created<TokenResource>, ForbiddenProblem>> Create(
        CreateTokenRequest request, Caller caller, HttpContext context, IGrainFactory grains, TokenIssuer issuer)
    {
        if (!caller.IsOperator && !caller.IsOrganisationWide)
        {
            return Problems.Forbidden("Only an organisation-wide token may manage tokens.");
        }

        // The request's checks made sure the organisation is the caller's (or the operator named one).
        var organisation = request.Organisation ?? caller.Organisation;
        var kind = request.Application is null ? TokenKind.Organisation : TokenKind.Application;
        var (token, jwt) = await issuer.IssueAsync(kind, organisation, request.Application, request.Alias, request.ExpiryDate);
        var resource = TokenResource.From(context, token) with { Token = jwt };
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<Results<Ok<TokenResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view ? TypedResults.Ok(TokenResource.From(context, view)) : Problems.NotFound();

    private static async Task<Results<NoContent, NotFoundProblem>> Delete(string id, Caller caller, IGrainFactory grains)
    {
        if (await Find(id, caller, grains) is not { } view)
        {
            return Problems.NotFound();
        }

        await grains.GetGrain<ITokenGrain>(view.Id).Revoke();
        return TypedResults.NoContent();
    }

    /// <summary>The token of a <c>/{id}/</c> route, if it is of the caller's organisation: every 404 of tokens comes from here.</summary>
    private static async Task<TokenView?> Find(string id, Caller caller, IGrainFactory grains) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId)
        && await grains.GetGrain<ITokenGrain>(tokenId).Get() is { OrganisationId: { } organisation } view
        && caller.CanSeeOrganisation(organisation)
            ? view
            : null;
}
