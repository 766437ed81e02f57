namespace Embever.Actors.Retention;

/// <summary>
/// How long stored rows are kept, by kind; a null period inherits (an application's from its
/// organisation's, an organisation's from the operator's <see cref="RetentionOptions"/>).
/// Unfinished actions and pending webhook deliveries are kept whatever these say.
/// </summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.RetentionPeriods")]
public sealed record RetentionPeriods(
    [property: Id(0)] TimeSpan? Events = null,
    [property: Id(1)] TimeSpan? FinishedActions = null,
    [property: Id(2)] TimeSpan? WebhookDeliveries = null)
{
    public static readonly RetentionPeriods Inherit = new();

    /// <summary>These periods, each one not set taken from <paramref name="parent"/>.</summary>
    public RetentionPeriods Over(RetentionPeriods? parent) => parent is null ? this : new(
        Events ?? parent.Events, FinishedActions ?? parent.FinishedActions, WebhookDeliveries ?? parent.WebhookDeliveries);
}
