using Embever.Actors.Platform;

namespace Embever.Actors.Actions;

public sealed record ActionDeviceReference(string Id, string? Name);

public sealed record ActionWebhookResource(string Status, string Url, bool PayloadOnly);

/// <summary>An action as the API shows it and as its webhooks carry it.</summary>
public sealed record ActionResource(
    string Url,
    long Id,
    ActionDeviceReference Device,
    string Type,
    RawJson Payload,
    IReadOnlyList<ActionWebhookResource> Webhooks,
    IReadOnlyDictionary<string, DateTime> Status,
    int ServiceLevel,
    bool Cancelled,
    bool Finished,
    RawJson Result,
    DateTime CreatedAt,
    string? ResultCode,
    DateTime? ExpiryDate,
    bool Expired,
    int SendCount)
{
    public static ActionResource From(string baseUrl, DeviceAction action, string? deviceName) => new(
        ResourceUrl.Of(baseUrl, "actions", action.Id),
        action.Id,
        new ActionDeviceReference(action.DeviceId, deviceName),
        action.Type,
        RawJson.From(action.PayloadJson),
        action.Webhooks.Select(w => new ActionWebhookResource(w.Status, w.Url, w.PayloadOnly)).ToList(),
        ActionStatuses.All.Where(action.Status.ContainsKey).ToDictionary(s => s, s => action.Status[s]),
        action.ServiceLevel,
        action.Cancelled,
        action.Finished,
        RawJson.From(action.ResultJson),
        action.CreatedAt,
        action.ResultCode,
        action.ExpiryDate,
        action.Expired,
        action.SendCount);
}
