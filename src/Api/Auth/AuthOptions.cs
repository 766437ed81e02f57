namespace Embever.Actors.Api.Auth;

/// <summary>Lifetimes of the tokens <c>/v2/authenticate/</c> hands out (section <c>Embever:Auth</c>).</summary>
public sealed class AuthOptions
{
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(24);
}
