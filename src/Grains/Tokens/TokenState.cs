namespace Embever.Actors.Tokens;

[GenerateSerializer, Alias("Embever.Actors.TokenState")]
public sealed class TokenState
{
    [Id(0)] public TokenView? View { get; set; }

    /// <summary>HMAC of the token's random secret; the secret itself is never stored.</summary>
    [Id(1)] public byte[] SecretHash { get; set; } = [];

    [Id(2)] public bool Revoked { get; set; }
}
