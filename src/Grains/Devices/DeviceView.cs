namespace Embever.Actors.Devices;

/// <summary>An event webhook of a device: POST to <c>Url</c> whenever an event of <c>Type</c> arrives.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.EventWebhook")]
public sealed record EventWebhook(string Type, string Url, bool PayloadOnly);

/// <summary>A device as callers see it; the password is never part of it.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeviceView")]
public sealed record DeviceView(
    string Id,
    Guid OrganisationId,
    Guid? ApplicationId,
    string Name,
    bool Activated,
    string Type,
    IReadOnlyList<EventWebhook> Webhooks,
    DateTime CreatedAt,
    DateTime? LastSeenAt);

[GenerateSerializer, Immutable, Alias("Embever.Actors.DeviceDraft")]
public sealed record DeviceDraft(
    Guid OrganisationId,
    Guid? ApplicationId,
    string Name,
    bool Activated,
    IReadOnlyList<EventWebhook> Webhooks,
    byte[] PasswordHash,
    byte[]? SealedPassword = null);

/// <summary>
/// The writable fields of a device; null leaves a field as it is. <c>ApplicationGiven</c>
/// tells "link to none" (given, null) from "leave the link alone" (not given).
/// </summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DevicePatch")]
public sealed record DevicePatch(
    string? Name,
    bool ApplicationGiven,
    Guid? ApplicationId,
    bool? Activated,
    IReadOnlyList<EventWebhook>? Webhooks);

public enum DeviceWriteError
{
    None,
    NotFound,
    NameTaken,
    IdTaken,

    /// <summary>The application to link to was deleted meanwhile.</summary>
    ApplicationGone,
}

[GenerateSerializer, Immutable, Alias("Embever.Actors.DeviceWriteResult")]
public sealed record DeviceWriteResult(DeviceView? Device, DeviceWriteError Error)
{
    public static DeviceWriteResult Failed(DeviceWriteError error) => new(null, error);
}
