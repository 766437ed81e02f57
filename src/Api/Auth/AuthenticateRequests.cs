using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Auth;

/// <summary><c>POST /v2/authenticate/</c>.</summary>
/// <example>{"application_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.…"}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AuthenticateRequest : IRequestBody<AuthenticateRequest>
{
    /// <summary>An organisation, application or operator token.</summary>
    [NotBlank, MaxLength(4096)]
    public required string ApplicationToken { get; init; }
}

/// <summary><c>POST /v2/authenticate/refresh/</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RefreshRequest : IRequestBody<RefreshRequest>
{
    /// <summary>The refresh token from <c>POST /v2/authenticate/</c>.</summary>
    [NotBlank, MaxLength(4096)]
    public required string Refresh { get; init; }
}

/// <summary>What <c>POST /v2/authenticate/</c> answers.</summary>
public sealed record AuthenticateResponse(string Access, string Refresh);

/// <summary>What <c>POST /v2/authenticate/refresh/</c> answers.</summary>
public sealed record RefreshResponse(string Access);
