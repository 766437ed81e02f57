using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Embever.Actors.Actions;
using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Actions;

/// <summary><c>POST /v2/actions/</c>.</summary>
/// <example>{"device": {"id": "a1b2c3d4"}, "type": "setSettings", "payload": {"someSetting": 54}, "service_level": 1, "expiry_date": "2026-12-31T00:00:00.000000Z", "webhooks": [{"status": "action_delivered", "url": "https://example.com/hooks/delivered"}]}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateActionRequest : IRequestBody<CreateActionRequest>, IValidatableObject
{
    /// <summary>The payload limit of the caller's organisation (a getFile action's file, a base64 data: URI, is part of its payload) and the envelope around it.</summary>
    public static long BodyLimitFor(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<PayloadLimits>();
        return (context.Items[typeof(Auth.Caller)] is Auth.Caller { OrganisationId: { } organisation } ? limits.For(organisation) : limits.Largest) + PayloadLimits.Envelope;
    }

    /// <summary>The device that is to perform it, by id or by name.</summary>
    public required DeviceReference Device { get; init; }

    /// <summary>What to do; one buffered action per type and device (a newer one overrides an unsent older one). Types starting with <c>_</c> are the platform's.</summary>
    [NotBlank, MaxLength(255)]
    public required string Type { get; init; }

    /// <summary>What the device needs to do it; getFile takes <c>file</c>, a data: URI.</summary>
    public JsonObject? Payload { get; init; }

    /// <summary>Webhooks fired when the action reaches a status.</summary>
    [MaxLength(WebhookLimits.MaxWebhooks)]
    public List<ActionWebhookRequest>? Webhooks { get; init; }

    /// <summary>0: sent once; 1: re-sent until acknowledged; 2: re-sent until answered.</summary>
    [Range(0, 2)]
    public int ServiceLevel { get; init; }

    /// <summary>When the action is dropped if the device has not taken it; never when left out.</summary>
    [Future]
    public DateTime? ExpiryDate { get; init; }

    /// <summary>Only <c>false</c>: a new action cannot be cancelled already.</summary>
    public bool? Cancelled { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ActionTypes.IsPrivate(Type))
        {
            yield return new ValidationResult("Types starting with '_' are reserved for the platform.", ["type"]);
        }

        if (Cancelled == true)
        {
            yield return new ValidationResult("A new action cannot be cancelled already.", ["cancelled"]);
        }

        if (Type == ActionTypes.GetFile && Payload?["file"]?.GetValueKind() != JsonValueKind.String)
        {
            yield return new ValidationResult("getFile needs payload.file: a data:<type>/<format>;base64,<data> URI.", ["payload.file"]);
        }
    }
}

/// <summary>A device named in a request: by its id or by its name (both must then match).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DeviceReference : IValidatableObject
{
    [NotBlank, MaxLength(255)]
    public string? Id { get; init; }

    [NotBlank, MaxLength(255)]
    public string? Name { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Id is null && Name is null)
        {
            yield return new ValidationResult("Give the device's id or its name.", ["id"]);
        }
    }
}
