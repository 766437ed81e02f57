namespace Embever.Actors.Retention;

/// <summary>
/// <c>Embever:Retention</c>: the operator's periods, which organisations and applications inherit
/// unless they set their own, the shortest period anyone may set, and how the sweeper works.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Embever:Retention";

    public TimeSpan Events { get; set; } = TimeSpan.FromDays(365);

    public TimeSpan FinishedActions { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Deliveries are a log of attempts: a month answers "did my webhook arrive" questions.</summary>
    public TimeSpan WebhookDeliveries { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The shortest period an organisation or application may set.</summary>
    public TimeSpan Minimum { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the sweeper looks for rows past their period.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rows a sweep deletes in one transaction (a storm's exchange waits for at most one).</summary>
    public int Batch { get; set; } = 100;

    /// <summary>
    /// The share of the time a sweep keeps the store busy while devices' changes are committed
    /// beside it: after such a round it pauses so long that its rounds take at most this much (a
    /// wake storm keeps the rest). The sweep need only keep up with what comes in: at 5 % it still
    /// deletes thousands of rows a second, many times what a million devices send.
    /// </summary>
    public double BusyShare { get; set; } = 0.05;

    public RetentionPeriods Defaults => new(Events, FinishedActions, WebhookDeliveries);

    /// <summary>The periods in force for an organisation's settings, and an application's if given.</summary>
    public RetentionPeriods InForce(RetentionPeriods? organisation, RetentionPeriods? application = null) =>
        (application ?? RetentionPeriods.Inherit).Over((organisation ?? RetentionPeriods.Inherit).Over(Defaults));
}
