using Embever.Actors.Retention;

namespace Embever.Actors.Api.Retention;

/// <summary>Periods as ISO 8601 durations; null where a setting inherits.</summary>
public sealed record RetentionResource(string? Events, string? FinishedActions, string? WebhookDeliveries)
{
    public static RetentionResource From(RetentionPeriods? periods) => new(
        RetentionDurations.Format(periods?.Events), RetentionDurations.Format(periods?.FinishedActions), RetentionDurations.Format(periods?.WebhookDeliveries));
}
