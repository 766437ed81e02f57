using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Embever.Actors.Actions;
using Embever.Actors.Deployments;
using Embever.Actors.Deployments.Rollouts;
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

/// <summary>A deployment's webhook: fired when the deployment tells <c>status</c> (docs/rollouts.md).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DeploymentWebhookRequest
{
    /// <summary>What fires it: a group started or completed (the body names the group), the rollout paused or aborted, the deployment completed.</summary>
    [OneOf(RolloutEvent.GroupStarted, RolloutEvent.GroupCompleted, RolloutEvent.Paused, RolloutEvent.Aborted, RolloutEvent.Completed)]
    public required string Status { get; init; }

    /// <summary>Where it is POSTed: an absolute http or https URL.</summary>
    [WebhookUrl, MaxLength(WebhookUrls.MaxLength)]
    public required string Url { get; init; }

    public DeploymentWebhook ToWebhook() => new(Status, Url);
}

/// <summary>How many webhooks an object may carry.</summary>
public static class WebhookLimits
{
    public const int MaxWebhooks = 100;
}
