using System.Text.Encodings.Web;
using Embever.Actors.Api.Http;
using Embever.Actors.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;access&gt;</c> (or the prefix <c>JWT</c>): a valid access token whose
/// application token is still active. Revoking a token ends its access tokens at once.
/// </summary>
public sealed class AccessTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    JwtService jwt,
    IGrainFactory grains) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !(parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("JWT", StringComparison.OrdinalIgnoreCase)))
        {
            return AuthenticateResult.Fail("Use 'Authorization: Bearer <access token>'.");
        }

        var claims = await jwt.ValidateAsync(parts[1], "access");
        if (claims is null)
        {
            return AuthenticateResult.Fail("The access token is invalid or expired.");
        }

        if (!await grains.GetGrain<ITokenGrain>(claims.TokenId).IsActive())
        {
            return AuthenticateResult.Fail("The token was revoked or has expired.");
        }

        Context.Items[typeof(Caller)] = claims.ToCaller();
        return AuthenticateResult.Success(new AuthenticationTicket(claims.ToPrincipal(), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.Append("WWW-Authenticate", "Bearer");
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        await Problems.Unauthorized(failure ?? "Authenticate with 'Authorization: Bearer <access token>' (see /v2/authenticate/).").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Forbidden("This token's scope does not allow the operation.").ExecuteAsync(Context);
}
