using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Embever.Actors.Api.Deployments;

/// <summary><c>PATCH /v2/deployments/{id}/</c>: cancel it, or pause and resume its rollout.</summary>
/// <example>{"paused": true}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateDeploymentRequest : Http.IRequestBody<UpdateDeploymentRequest>, IValidatableObject
{
    /// <summary><c>true</c> cancels every unfinished update; a cancelled deployment cannot be resumed.</summary>
    public bool? Cancelled { get; init; }

    /// <summary><c>true</c> pauses a staged rollout (nothing more is released, no group starts); <c>false</c> resumes it, and at a pause between groups starts the next.</summary>
    public bool? Paused { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Cancelled is null && Paused is null)
        {
            yield return new ValidationResult("Give cancelled or paused.", ["cancelled", "paused"]);
        }
    }
}
