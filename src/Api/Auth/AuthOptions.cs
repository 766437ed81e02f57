namespace Embever.Actors.Api.Auth;

/// <summary>Lifetimes of the tokens <c>/v2/authenticate/</c> hands out, and how they are checked (section <c>Embever:Auth</c>).</summary>
public sealed class AuthOptions
{
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long after its expiry a token is still accepted, for clocks a little apart (at most a few seconds).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>POST /v2/authenticate/</c> (and refresh) per client address: a burst of this many …</summary>
    public int AuthenticateBurst { get; set; } = 20;

    /// <summary>… refilled at this many per second; beyond it 429 with <c>Retry-After</c>.</summary>
    public double AuthenticatePerSecond { get; set; } = 5;
}
