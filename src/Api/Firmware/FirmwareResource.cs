using Embever.Actors.Api.Http;
using Embever.Actors.Firmware;

namespace Embever.Actors.Api.Firmware;

public sealed record FirmwareResource(
    string Url,
    string Id,
    string Version,
    string Alias,
    string Dest,
    string Description,
    string? Predecessor,
    long Size,
    string Sha256,
    DateTime CreatedAt)
{
    public static FirmwareResource From(HttpContext context, FirmwareView view) => new(
        ResourceUrls.Of(context, "firmwares", view.Id), view.Id, view.Version, view.Alias, view.Dest, view.Description, view.Predecessor,
        view.Size, view.Sha256, view.CreatedAt);
}
