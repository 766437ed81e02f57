using System.Text.Json.Serialization;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;

namespace Embever.Actors.Api.Devices;

public sealed record WebhookResource(string Type, string Url, bool PayloadOnly);

public sealed record DeviceResource(
    string Url,
    string Id,
    string Name,
    bool Activated,
    Guid? Application,
    string Type,
    Dictionary<string, object> Connectivity,
    IReadOnlyList<WebhookResource> Webhooks,
    DateTime CreatedAt,
    DateTime? LastSeenAt)
{
    /// <summary>The device's gateway password: shown once, in the answer to its creation.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Password { get; init; }

    public static DeviceResource From(HttpContext context, DeviceView view) => new(
        ResourceUrls.Of(context, "devices", view.Id), view.Id, view.Name, view.Activated, view.ApplicationId, view.Type, [],
        view.Webhooks.Select(w => new WebhookResource(w.Type, w.Url, w.PayloadOnly)).ToList(), view.CreatedAt, view.LastSeenAt);
}
