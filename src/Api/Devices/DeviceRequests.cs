using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Devices;

/// <summary><c>POST /v2/devices/</c>.</summary>
/// <example>{"name": "device-1", "application": "6b7e3f0e-2f7a-4a57-9f3c-2f1d7a0c9b11", "webhooks": [{"type": "gps", "url": "https://example.com/hooks/gps"}]}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateDeviceRequest : IRequestBody<CreateDeviceRequest>
{
    /// <summary>Unique within the organisation.</summary>
    [NotBlank, MaxLength(255)]
    public required string Name { get; init; }

    /// <summary>The application to link it to; an application token's own when left out.</summary>
    public Guid? Application { get; init; }

    /// <summary>Whether the device is in service (an addition: a label for its owner).</summary>
    public bool Activated { get; init; }

    /// <summary>Webhooks fired by its events, by event type.</summary>
    [MaxLength(WebhookLimits.MaxWebhooks)]
    public List<EventWebhookRequest>? Webhooks { get; init; }

    public static Task CheckAsync(CreateDeviceRequest request, HttpContext context, FieldErrors errors) =>
        DeviceApplication.CheckAsync(request.Application ?? context.GetCaller().ApplicationId, context, errors);
}

/// <summary><c>PATCH /v2/devices/{id}/</c>: absent members stay as they are; <c>"application": null</c> unlinks.</summary>
/// <example>{"name": "device-1b", "application": null}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateDeviceRequest : IRequestBody<UpdateDeviceRequest>
{
    [NotBlank, MaxLength(255), DisallowNull]
    public string? Name { get; init; }

    /// <summary>The application to link it to, or null to unlink it.</summary>
    public Guid? Application
    {
        get;
        init
        {
            field = value;
            ApplicationGiven = true;
        }
    }

    /// <summary>Whether <see cref="Application"/> was in the body (null there unlinks; absent keeps).</summary>
    [JsonIgnore]
    public bool ApplicationGiven { get; private init; }

    [DisallowNull]
    public bool? Activated { get; init; }

    /// <summary>Replaces every event webhook; null removes them all.</summary>
    [MaxLength(WebhookLimits.MaxWebhooks)]
    public List<EventWebhookRequest>? Webhooks
    {
        get;
        init
        {
            field = value;
            WebhooksGiven = true;
        }
    }

    [JsonIgnore]
    public bool WebhooksGiven { get; private init; }

    public static Task CheckAsync(UpdateDeviceRequest request, HttpContext context, FieldErrors errors) =>
        request.ApplicationGiven ? DeviceApplication.CheckAsync(request.Application, context, errors) : Task.CompletedTask;
}

/// <summary><c>POST /v2/devices/import/</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ImportDevicesRequest : IRequestBody<ImportDevicesRequest>, IValidatableObject
{
    public const int MaxDevices = 10_000;

    public static long BodyLimit => 16 * 1024 * 1024;

    /// <summary>The devices to create, by name, unique.</summary>
    [MinLength(1), MaxLength(MaxDevices)]
    public required List<ImportedName> Devices { get; init; }

    public Guid? Application { get; init; }

    public bool Activated { get; init; }

    public static async Task CheckAsync(ImportDevicesRequest request, HttpContext context, FieldErrors errors)
    {
        if (request.Application is { } application && !await DeviceApplication.IsTheCallersAsync(application, context))
        {
            errors.Add("application", DeviceApplication.NoSuchApplication);
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Devices.Select(d => d.Name).Distinct().Count() != Devices.Count)
        {
            yield return new ValidationResult("Names must be unique.", ["devices"]);
        }
    }
}

/// <summary>One device of an import.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ImportedName
{
    [NotBlank, MaxLength(255)]
    public required string Name { get; init; }
}
