using System.Text.Json.Serialization;

namespace Embever.Actors.Api.Http;

/// <summary><c>PATCH {"cancelled": true}</c>: the one writable member of actions.</summary>
/// <example>{"cancelled": true}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CancelRequest : IRequestBody<CancelRequest>
{
    /// <summary><c>true</c> cancels; <c>false</c> leaves an uncancelled one as it is (a cancelled one cannot be resumed).</summary>
    public required bool Cancelled { get; init; }

    /// <summary>The refusal to resume what was cancelled, or null.</summary>
    public ValidationProblem? Resumes(bool alreadyCancelled, string what) =>
        !Cancelled && alreadyCancelled ? Problems.Field("cancelled", $"A cancelled {what} cannot be resumed; create a new one.") : null;
}
