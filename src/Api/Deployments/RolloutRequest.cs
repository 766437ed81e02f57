using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Embever.Actors.Deployments.Rollouts;

namespace Embever.Actors.Api.Deployments;

/// <summary>A staged rollout (docs/rollouts.md): groups with success gates, an error threshold that aborts, pacing, timeouts, pauses between groups.</summary>
/// <example>{"groups": [10, 100], "success_threshold": 0.95, "error_threshold": 0.1, "max_per_minute": 100, "update_timeout_seconds": 86400, "pause_between_groups": false}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RolloutRequest : IValidatableObject
{
    /// <summary>Sizes of the successive groups, taken from <c>devices</c> in the order given; the devices left over form the last group.</summary>
    [MaxLength(100)]
    public List<int>? Groups { get; init; }

    /// <summary>The share of a group that must succeed before the next group starts (default 1.0: all of it).</summary>
    [Range(0.0, 1.0)]
    public double? SuccessThreshold { get; init; }

    /// <summary>When the failed share of the devices started so far reaches it (once one finished), the deployment aborts.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double? ErrorThreshold { get; init; }

    /// <summary>At most this many <c>_fota</c> actions are released in any minute; the rest wait in the deployment.</summary>
    [Range(1, 1_000_000)]
    public int? MaxPerMinute { get; init; }

    /// <summary>An update not finished this long after its action was released counts as failed (its action is cancelled).</summary>
    [Range(60, 31_536_000)]
    public int? UpdateTimeoutSeconds { get; init; }

    /// <summary>After each group the deployment pauses until it is resumed (<c>PATCH {"paused": false}</c>).</summary>
    public bool? PauseBetweenGroups { get; init; }

    public RolloutPolicy ToPolicy() =>
        new(Groups ?? [], SuccessThreshold ?? 1.0, ErrorThreshold, MaxPerMinute, UpdateTimeoutSeconds, PauseBetweenGroups ?? false);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Groups?.Any(size => size < 1) == true)
        {
            yield return new ValidationResult("Every group has at least one device.", ["groups"]);
        }
    }
}
