using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Embever.Actors.Api.Http;
using Embever.Actors.Api.Retention;

namespace Embever.Actors.Api.Organisations;

/// <summary><c>POST /v2/organisations/</c> (operator only).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateOrganisationRequest : IRequestBody<CreateOrganisationRequest>
{
    public const int MaxLifespan = 365 * 24 * 3600;

    [NotBlank, MaxLength(255)]
    public required string Name { get; init; }

    [MaxLength(255)]
    public string? Street { get; init; }

    [MaxLength(255)]
    public string? StreetNumber { get; init; }

    [MaxLength(255)]
    public string? PostalCode { get; init; }

    [MaxLength(255)]
    public string? City { get; init; }

    [MaxLength(255)]
    public string? Country { get; init; }

    /// <summary>The longest an access token of the organisation lives, in seconds (default 300).</summary>
    [Range(1, MaxLifespan)]
    public int? MaxTokenLifespanInSeconds { get; init; }

    /// <summary>Signs the organisation's webhooks (X-Org-Token); a random one when left out.</summary>
    [NotBlank, MaxLength(1024)]
    public string? Secret { get; init; }

    /// <summary>How long the organisation's rows are kept; what is left out inherits the operator's settings.</summary>
    public RetentionRequest? Retention { get; init; }
}

/// <summary><c>PATCH /v2/organisations/{id}/</c>: absent members stay as they are.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateOrganisationRequest : IRequestBody<UpdateOrganisationRequest>
{
    /// <summary>A new webhook-signing secret.</summary>
    [NotBlank, MaxLength(1024), DisallowNull]
    public string? Secret { get; init; }

    [Range(1, CreateOrganisationRequest.MaxLifespan), DisallowNull]
    public int? MaxTokenLifespanInSeconds { get; init; }

    /// <summary>How long the organisation's rows are kept: replaces the old settings whole (<c>{}</c>: inherit everything).</summary>
    [DisallowNull]
    public RetentionRequest? Retention { get; init; }
}
