using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Embever.Actors.Api.Http;
using Embever.Actors.Api.Retention;

namespace Embever.Actors.Api.Applications;

/// <summary><c>POST /v2/applications/</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateApplicationRequest : IRequestBody<CreateApplicationRequest>
{
    /// <summary>A short name.</summary>
    [NotBlank, MaxLength(255)]
    public required string Alias { get; init; }

    [MaxLength(4096)]
    public string? Description { get; init; }

    /// <summary>Signs the application's webhooks (X-App-Token); never shown again.</summary>
    [NotBlank, MaxLength(1024)]
    public required string Secret { get; init; }

    /// <summary>How long the rows of the application's devices are kept; what is left out inherits the organisation's.</summary>
    public RetentionRequest? Retention { get; init; }
}

/// <summary><c>PATCH /v2/applications/{id}/</c>: absent members stay as they are.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateApplicationRequest : IRequestBody<UpdateApplicationRequest>
{
    [NotBlank, MaxLength(255), DisallowNull]
    public string? Alias { get; init; }

    [MaxLength(4096), DisallowNull]
    public string? Description { get; init; }

    /// <summary>A new webhook-signing secret.</summary>
    [NotBlank, MaxLength(1024), DisallowNull]
    public string? Secret { get; init; }

    /// <summary>How long the rows of the application's devices are kept: replaces the old settings whole (<c>{}</c>: inherit everything).</summary>
    [DisallowNull]
    public RetentionRequest? Retention { get; init; }
}
