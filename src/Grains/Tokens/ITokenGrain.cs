namespace Embever.Actors.Tokens;

/// <summary>One application token, keyed by its integer id.</summary>
[Alias("Embever.Actors.ITokenGrain")]
public interface ITokenGrain : IGrainWithIntegerKey
{
    /// <summary>The token, or null when it does not exist or was revoked.</summary>
    [Alias("Get")]
    Task<TokenView?> Get();

    [Alias("Create")]
    Task<TokenView> Create(TokenDraft draft);

    /// <summary>The token when the secret matches and it is neither revoked nor expired.</summary>
    [Alias("Verify")]
    Task<TokenView?> Verify(string secret);

    /// <summary>Whether access tokens issued for this token are still honoured.</summary>
    [Alias("IsActive")]
    Task<bool> IsActive();

    [Alias("Revoke")]
    Task<bool> Revoke();
}
