using Embever.Actors.Api.Auth;
using Embever.Actors.Security;
using Embever.Actors.Storage;
using Embever.Actors.Tokens;

namespace Embever.Actors.Api.Tokens;

/// <summary>
/// Creates application tokens: a cluster-unique id, a random secret stored only as its HMAC,
/// and the JWT that carries both, shown to the caller once.
/// </summary>
public sealed class TokenIssuer(TokenCreator tokens, PlatformKeys keys, JwtService jwt)
{
    public async Task<(TokenView Token, string Jwt)> IssueAsync(TokenKind kind, Guid? organisation, Guid? application, string alias, DateTime? expiry)
    {
        var secret = Secrets.New();
        var view = await tokens.CreateAsync(new TokenDraft(kind, organisation, application, alias, expiry, keys.Hasher.Hash(secret)));
        return (view, jwt.IssueApplicationToken(view, secret));
    }
}
