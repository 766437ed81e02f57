using Embever.Actors.Api.Http;
using Embever.Actors.Tokens;

namespace Embever.Actors.Api.Auth;

/// <summary><c>/v2/authenticate/</c>: an application token buys an access and a refresh token.</summary>
public static class AuthenticateApi
{
    public static IEndpointRouteBuilder MapAuthenticateApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/authenticate").WithTags("Authenticate").AllowAnonymous().RequireRateLimiting(AuthenticateRateLimit.Policy);
        group.MapPost("/", Authenticate).Produces<AuthenticateResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(429)
            .WithName("authenticate").WithSummary("Exchange a token for an access token and a refresh token")
            .WithDescription("Send an organisation, application or operator token; the answer holds an access token for `Authorization: Bearer` and a refresh token. Rate-limited per client address.");
        group.MapPost("/refresh/", Refresh).Produces<RefreshResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(429)
            .WithName("refresh").WithSummary("Renew an access token with the refresh token")
            .WithDescription("Send the refresh token from POST /v2/authenticate/ to get a new access token without the original token.");
        return routes;
    }

    private static async Task<IResult> Authenticate(HttpRequest request, JwtService jwt, IGrainFactory grains)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("application_token");
        var applicationToken = fields.String("application_token", required: true, maxLength: 4096);
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var claims = await jwt.ValidateAsync(applicationToken!, "application");
        var token = claims?.Secret is { } secret ? await grains.GetGrain<ITokenGrain>(claims.TokenId).Verify(secret) : null;
        if (token is null)
        {
            return Problems.Unauthorized("The application token is invalid, expired or revoked.");
        }

        return TypedResults.Ok(new AuthenticateResponse(jwt.IssueAccessToken(token), jwt.IssueRefreshToken(token)));
    }

    private static async Task<IResult> Refresh(HttpRequest request, JwtService jwt, IGrainFactory grains)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("refresh");
        var refresh = fields.String("refresh", required: true, maxLength: 4096);
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var claims = await jwt.ValidateAsync(refresh!, "refresh");
        var token = claims is null ? null : await grains.GetGrain<ITokenGrain>(claims.TokenId).Get();
        if (token is null || !await grains.GetGrain<ITokenGrain>(token.Id).IsActive())
        {
            return Problems.Unauthorized("The refresh token is invalid or expired, or its application token was revoked.");
        }

        return TypedResults.Ok(new RefreshResponse(jwt.IssueAccessToken(token)));
    }
}

public sealed record AuthenticateResponse(string Access, string Refresh);

public sealed record RefreshResponse(string Access);
