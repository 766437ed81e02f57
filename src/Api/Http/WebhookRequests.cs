using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Embever.Actors.Actions;
using Embever.Actors.Devices;

namespace Embever.Actors.Api.Http;

/// <summary>A device's event webhook: fired for every event of <c>type</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventWebhookRequest
{
    /// <summary>The event type that fires it.</summary>
    [NotBlank, MaxLength(255)]
    public required string Type { get; init; }

    /// <summary>Where it is POSTed: an absolute http or https URL.</summary>
    [WebhookUrl, MaxLength(WebhookUrls.MaxLength)]
    public required string Url { get; init; }

    /// <summary>Send only the event's payload instead of the whole event.</summary>
    public bool PayloadOnly { get; init; }

    public EventWebhook ToWebhook() => new(Type, Url, PayloadOnly);
}

/// <summary>An action's webhook: fired when the action reaches <c>status</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ActionWebhookRequest
{
    /// <summary>The status that fires it.</summary>
    [OneOf(ActionStatuses.Sent, ActionStatuses.Delivered, ActionStatuses.ResponseReceived, ActionStatuses.Overridden,
        ActionStatuses.FileTransferStarted, ActionStatuses.FileTransferComplete, ActionStatuses.FileTransferFailed,
        ActionStatuses.Cancelled, ActionStatuses.Expired)]
    public required string Status { get; init; }

    /// <summary>Where it is POSTed: an absolute http or https URL.</summary>
    [WebhookUrl, MaxLength(WebhookUrls.MaxLength)]
    public required string Url { get; init; }

    /// <summary>Send only the action's result instead of the whole action.</summary>
    public bool PayloadOnly { get; init; }

    public ActionWebhook ToWebhook() => new(Status, Url, PayloadOnly);
}

/// <summary>How many webhooks an object may carry.</summary>
public static class WebhookLimits
{
    public const int MaxWebhooks = 100;
}
