namespace Embever.Actors.Retention;

/// <summary>
/// A kind of row that retention deletes: its table, its period, the rows never deleted whatever
/// their age, and how a row's application is known (a column, or its device's application).
/// </summary>
internal sealed record RetainedKind(string Name, string Table, Func<RetentionPeriods, TimeSpan?> Period, string Deletable, bool ApplicationColumn)
{
    /// <summary>Events carry no application: an event is kept as long as its device's application says.</summary>
    public static readonly RetainedKind Events = new("events", "events", p => p.Events, "1 = 1", ApplicationColumn: false);

    /// <summary>Unfinished actions wait for their devices: never deleted by age.</summary>
    public static readonly RetainedKind FinishedActions = new("finished_actions", "actions", p => p.FinishedActions, "finished = @finished", ApplicationColumn: false);

    /// <summary>A pending delivery is still the outbox: never deleted by age.</summary>
    public static readonly RetainedKind WebhookDeliveries = new("webhook_deliveries", "webhook_deliveries", p => p.WebhookDeliveries, "status <> 'pending'", ApplicationColumn: true);

    public static readonly RetainedKind[] All = [Events, FinishedActions, WebhookDeliveries];
}
