using System.Security.Claims;
using Embever.Actors.Security;
using Embever.Actors.Storage;
using Embever.Actors.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// Issues and checks the platform's JWTs (HS256): application tokens (long-lived, carry the token
/// id and its random secret), access tokens (minutes) and refresh tokens (a day). The <c>use</c>
/// claim keeps one from passing as another. Each token names its signing key (<c>kid</c>); after
/// the operator rotates the key (<see cref="SigningKeyring"/>), a token signed before still
/// verifies with the retired key until it expires, and a retired key verifies nothing issued
/// after its retirement (so a leaked old key mints no new access token).
/// </summary>
public sealed class JwtService(PlatformKeys keys, AuthOptions options, TimeProvider time)
{
    private const string Issuer = "embever-actors";
    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string IssueApplicationToken(TokenView token, string secret) =>
        Issue(Claims(token, "application", ("sec", secret)), token.ExpiryDate);

    public string IssueAccessToken(TokenView token) =>
        Issue(Claims(token, "access"), time.GetUtcNow().UtcDateTime + options.AccessTokenLifetime);

    public string IssueRefreshToken(TokenView token) =>
        Issue(Claims(token, "refresh"), time.GetUtcNow().UtcDateTime + options.RefreshTokenLifetime);

    /// <summary>The claims of a well-signed, unexpired token of the given use, or null.</summary>
    public async Task<TokenClaims?> ValidateAsync(string jwt, string use)
    {
        if (jwt.Length > 4096)
        {
            return null;
        }

        string? kid;
        try
        {
            kid = handler.ReadJsonWebToken(jwt).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }

        // A key this silo does not know yet: another silo may have rotated the keyring.
        if ((keys.SigningKeys.Find(kid) ?? (await keys.RefreshSigningKeysAsync()).Find(kid)) is not { } key)
        {
            return null;
        }

        var result = await handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidateAudience = false,
            IssuerSigningKey = new SymmetricSecurityKey(key.Key),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = use != "application",
            ClockSkew = options.ClockSkew,
            LifetimeValidator = (notBefore, expires, _, _) => expires is null || expires > time.GetUtcNow().UtcDateTime - options.ClockSkew,
        });
        if (!result.IsValid || !result.Claims.TryGetValue("use", out var actualUse) || actualUse as string != use)
        {
            return null;
        }

        if (use != "application" && keys.SigningKeys.RetiredAt(key) is { } retired && !SignedBefore((JsonWebToken)result.SecurityToken, retired))
        {
            return null;
        }

        try
        {
            return new TokenClaims(
                Convert.ToInt64(result.Claims["tid"], System.Globalization.CultureInfo.InvariantCulture),
                Enum.Parse<TokenKind>((string)result.Claims["knd"]),
                result.Claims.TryGetValue("org", out var org) && org is string o ? Guid.Parse(o) : null,
                result.Claims.TryGetValue("app", out var app) && app is string a ? Guid.Parse(a) : null,
                result.Claims.TryGetValue("sec", out var sec) ? sec as string : null);
        }
        catch (Exception exception) when (exception is KeyNotFoundException or FormatException or InvalidCastException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether a token of a retired key was issued before the key retired, with a lifetime no
    /// longer than the platform gives (so a backdated token cannot reach past its retirement).
    /// Silos learn of a rotation within <see cref="SigningKeyRefresh.Every"/>; tokens they
    /// signed meanwhile count as signed before.
    /// </summary>
    private bool SignedBefore(JsonWebToken token, DateTime retired)
    {
        var grace = SigningKeyRefresh.Every + options.ClockSkew;
        var longest = options.AccessTokenLifetime > options.RefreshTokenLifetime ? options.AccessTokenLifetime : options.RefreshTokenLifetime;
        return token.IssuedAt != DateTime.MinValue && token.IssuedAt <= retired + grace && token.ValidTo - token.IssuedAt <= longest + options.ClockSkew;
    }

    private string Issue(Dictionary<string, object> claims, DateTime? expires)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = keys.SigningKeys.Current;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Claims = claims,
            IssuedAt = now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key.Key) { KeyId = key.Kid }, SecurityAlgorithms.HmacSha256),
        });
    }

    private static Dictionary<string, object> Claims(TokenView token, string use, params (string Name, object Value)[] extra)
    {
        var claims = new Dictionary<string, object>
        {
            ["use"] = use,
            ["tid"] = token.Id,
            ["knd"] = token.Kind.ToString(),
        };
        if (token.OrganisationId is { } organisation)
        {
            claims["org"] = organisation.ToString();
        }

        if (token.ApplicationId is { } application)
        {
            claims["app"] = application.ToString();
        }

        foreach (var (name, value) in extra)
        {
            claims[name] = value;
        }

        return claims;
    }
}

/// <summary>What a validated platform JWT says.</summary>
public sealed record TokenClaims(long TokenId, TokenKind Kind, Guid? OrganisationId, Guid? ApplicationId, string? Secret)
{
    public Caller ToCaller() => new(TokenId, Kind, OrganisationId, ApplicationId);

    public ClaimsPrincipal ToPrincipal() =>
        new(new ClaimsIdentity([new Claim("tid", TokenId.ToString(System.Globalization.CultureInfo.InvariantCulture))], "Bearer"));
}
