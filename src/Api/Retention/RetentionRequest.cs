using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Embever.Actors.Retention;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Retention;

/// <summary>
/// <c>"retention"</c> of an organisation or application: how long its rows are kept, each an
/// ISO 8601 duration (<c>"P90D"</c>, <c>"PT12H"</c>) or null to inherit. Given in a PATCH, it
/// replaces the old settings whole.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RetentionRequest : IValidatableObject
{
    /// <summary>Events: ISO 8601 duration, or null to inherit.</summary>
    [MaxLength(64)]
    public string? Events { get; init; }

    /// <summary>Finished actions (unfinished ones are always kept): ISO 8601 duration, or null to inherit.</summary>
    [MaxLength(64)]
    public string? FinishedActions { get; init; }

    /// <summary>Webhook deliveries (pending ones are always kept): ISO 8601 duration, or null to inherit.</summary>
    [MaxLength(64)]
    public string? WebhookDeliveries { get; init; }

    public RetentionPeriods ToPeriods() => new(Parse(Events), Parse(FinishedActions), Parse(WebhookDeliveries));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var minimum = validationContext.GetService<IOptions<RetentionOptions>>()?.Value.Minimum ?? new RetentionOptions().Minimum;
        foreach (var (member, value) in new[] { ("events", Events), ("finished_actions", FinishedActions), ("webhook_deliveries", WebhookDeliveries) })
        {
            if (value is null)
            {
                continue;
            }

            if (!RetentionDurations.TryParse(value, out var period))
            {
                yield return new ValidationResult("Must be an ISO 8601 duration such as \"P90D\" or \"PT12H\", or null to inherit.", [member]);
            }
            else if (period < minimum)
            {
                yield return new ValidationResult($"Must be at least {RetentionDurations.Format(minimum)}.", [member]);
            }
        }
    }

    private static TimeSpan? Parse(string? value) => value is not null && RetentionDurations.TryParse(value, out var period) ? period : null;
}
