using System.Text.Json.Serialization;
using Embever.Actors.Api.Http;
using Embever.Actors.Tokens;

namespace Embever.Actors.Api.Tokens;

public sealed record TokenScope(Guid? Organisation, Guid? Application, long? User);

public sealed record TokenResource(string Url, long Id, string Alias, bool Activated, DateTime? ExpiryDate, TokenScope Scope, DateTime CreatedAt)
{
    /// <summary>The application token itself: shown once, in the answer to its creation.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Token { get; init; }

    public static TokenResource From(HttpContext context, TokenView view) => new(
        ResourceUrls.Of(context, "tokens", view.Id), view.Id, view.Alias, true, view.ExpiryDate,
        new TokenScope(view.OrganisationId, view.ApplicationId, null), view.CreatedAt);
}
