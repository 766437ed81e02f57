using Embever.Actors.Actions;
using Embever.Actors.Events;

namespace Embever.Actors.Devices;

/// <summary>What a device sends in one wakeup: its events and its reports on actions.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeviceExchange")]
public sealed record DeviceExchange(IReadOnlyList<NewEvent> Events, ActionReports Reports);

/// <summary>An action as the device receives it.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.OutgoingAction")]
public sealed record OutgoingAction(long Id, string Type, string PayloadJson, int ServiceLevel);

/// <summary>The gateway's answer: actions to run (oldest first), the stored events' ids, refusals.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.ExchangeAnswer")]
public sealed record ExchangeAnswer(IReadOnlyList<OutgoingAction> Actions, IReadOnlyList<long> Events, IReadOnlyList<Rejection> Rejected);

/// <summary>A new action for the device, validated by the caller.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.NewAction")]
public sealed record NewAction(long Id, string Type, string PayloadJson, IReadOnlyList<ActionWebhook> Webhooks, int ServiceLevel, DateTime? ExpiryDate, string? FileId);

public enum DownloadPermission
{
    Unauthorized,
    NotFound,
    Allowed,
}
