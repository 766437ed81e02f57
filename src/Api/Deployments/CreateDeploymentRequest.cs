using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Firmware;
using Embever.Actors.Api.Http;
using Embever.Actors.Firmware;
using Embever.Actors.Devices;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Deployments;

/// <summary><c>POST /v2/deployments/</c>.</summary>
/// <example>{"devices": ["a1b2c3d4", "e5f6g7h8"], "firmware": "UBNY6l", "rollout": {"groups": [1], "success_threshold": 1.0, "error_threshold": 0.5, "max_per_minute": 100, "update_timeout_seconds": 86400}, "webhooks": [{"status": "group_completed", "url": "https://example.com/hooks/rollouts"}, {"status": "aborted", "url": "https://example.com/hooks/rollouts"}]}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateDeploymentRequest : IRequestBody<CreateDeploymentRequest>
{
    public const int MaxDevices = 100_000;

    public static long BodyLimit => 8 * 1024 * 1024;

    /// <summary>The ids of the devices to update (a device listed twice is updated once).</summary>
    [MinLength(1), MaxLength(MaxDevices)]
    public required List<string> Devices { get; init; }

    /// <summary>The id of the firmware to roll out.</summary>
    [NotBlank, MaxLength(255)]
    public required string Firmware { get; init; }

    /// <summary>A staged rollout; without it every device gets its update at once.</summary>
    public RolloutRequest? Rollout { get; init; }

    /// <summary>Webhooks fired as the deployment goes: <c>group_started</c>, <c>group_completed</c>, <c>paused</c>, <c>aborted</c>, <c>completed</c> (without a rollout the devices are one group).</summary>
    [MaxLength(WebhookLimits.MaxWebhooks)]
    public List<DeploymentWebhookRequest>? Webhooks { get; init; }

    public static async Task CheckAsync(CreateDeploymentRequest request, HttpContext context, FieldErrors errors)
    {
        var caller = context.GetCaller();
        if (await FirmwaresApi.FindAsync(request.Firmware, caller, context.RequestServices.GetRequiredService<FirmwareIndex>()) is null)
        {
            errors.Add("firmware", "No such firmware in this organisation.");
        }

        var ids = request.Devices.Distinct().ToList();
        var visible = await context.RequestServices.GetRequiredService<DeviceIndex>().VisibleAsync(caller.Scope, ids.Where(Platform.ShortIds.LooksValid));
        var unknown = ids.Where(id => !visible.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            errors.Add("devices", $"No such devices: {string.Join(", ", unknown)}.");
        }
    }
}
