using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Embever.Actors.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// What only the operator reaches: the Orleans dashboard and the metrics scrape. A browser or
/// Prometheus cannot renew a 15-minute access token, so these also take HTTP Basic with the
/// operator token itself as the password (user <c>operator</c>; the token is in the data
/// directory's <c>operator-token</c> file). A verified token is remembered for a minute: the
/// dashboard asks every second and a scrape every few.
/// </summary>
public sealed class OperatorAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    JwtService jwt,
    IGrainFactory grains,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OperatorBasic";
    public const string Policy = "operator";

    private static readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Until)> Verified = new();

    /// <summary>Operator only: an operator access token (Bearer) or the operator token (Basic).</summary>
    public static void AddPolicy(AuthorizationOptions options) =>
        options.AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(SchemeName, AccessTokenAuthenticationHandler.SchemeName)
            .RequireAssertion(context => context.Resource is HttpContext http && http.Items[typeof(Caller)] is Caller { IsOperator: true }));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return AuthenticateResult.NoResult();
        }

        string token;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            token = pair[(pair.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("The Basic credentials are not base64.");
        }

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (!Verified.TryGetValue(key, out var known) || known.Until < now)
        {
            var claims = await jwt.ValidateAsync(token, "application");
            var view = claims?.Secret is { } secret ? await grains.GetGrain<ITokenGrain>(claims.TokenId).Verify(secret) : null;
            if (view is not { Kind: TokenKind.Operator })
            {
                Verified.TryRemove(key, out _);
                return AuthenticateResult.Fail("Only the operator token opens this.");
            }

            known = (new Caller(view.Id, view.Kind, null, null), now.AddMinutes(1));
            Verified[key] = known;
        }

        Context.Items[typeof(Caller)] = known.Caller;
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("tid", known.Caller.TokenId.ToString(System.Globalization.CultureInfo.InvariantCulture))], SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>Asks a browser for the operator's credentials (the bearer scheme writes the problem body).</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", "Basic realm=\"Embever operator\", charset=\"UTF-8\"");
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
