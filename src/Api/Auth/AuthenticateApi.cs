using Embever.Actors.Api.Http;
using Embever.Actors.Tokens;

namespace Embever.Actors.Api.Auth;

/// <summary><c>/v2/authenticate/</c>: an application token buys an access and a refresh token.</summary>
public static class AuthenticateApi
{
    public static IEndpointRouteBuilder MapAuthenticateApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/authenticate").WithTags("Authenticate").AllowAnonymous().RequireRateLimiting(AuthenticateRateLimit.Policy);
        group.MapPost("/", Authenticate).ProducesProblem(429)
            .WithName("authenticate").WithSummary("Exchange a token for an access token and a refresh token")
            .WithDescription("Send an organisation, application or operator token; the answer holds an access token for `Authorization: Bearer` and a refresh token. Rate-limited per client address.");
        group.MapPost("/refresh/", Refresh).ProducesProblem(429)
            .WithName("refresh").WithSummary("Renew an access token with the refresh token")
            .WithDescription("Send the refresh token from POST /v2/authenticate/ to get a new access token without the original token.");
        return routes;
    }

    private static async Task<Results<Ok<AuthenticateResponse>, UnauthorizedProblem>> Authenticate(AuthenticateRequest request, JwtService jwt, IGrainFactory grains)
    {
        var claims = await jwt.ValidateAsync(request.ApplicationToken, "application");
        var token = claims?.Secret is { } secret ? await grains.GetGrain<ITokenGrain>(claims.TokenId).Verify(secret) : null;
        return token is null
            ? Problems.Unauthorized("The application token is invalid, expired or revoked.")
            : TypedResults.Ok(new AuthenticateResponse(jwt.IssueAccessToken(token), jwt.IssueRefreshToken(token)));
    }

    private static async Task<Results<Ok<RefreshResponse>, UnauthorizedProblem>> Refresh(RefreshRequest request, JwtService jwt, IGrainFactory grains)
    {
        var claims = await jwt.ValidateAsync(request.Refresh, "refresh");
        var token = claims is null ? null : await grains.GetGrain<ITokenGrain>(claims.TokenId).Get();
        return token is null || !await grains.GetGrain<ITokenGrain>(token.Id).IsActive()
            ? Problems.Unauthorized("The refresh token is invalid or expired, or its application token was revoked.")
            : TypedResults.Ok(new RefreshResponse(jwt.IssueAccessToken(token)));
    }
}
