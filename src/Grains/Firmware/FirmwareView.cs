namespace Embever.Actors.Firmware;

/// <summary>A firmware image of an organisation. Immutable once uploaded.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.FirmwareView")]
public sealed record FirmwareView(
    string Id,
    Guid OrganisationId,
    string Version,
    string Alias,
    string Dest,
    string Description,
    string? Predecessor,
    string FileId,
    long Size,
    string Sha256,
    DateTime CreatedAt)
{
    /// <summary>Where a device downloads the image.</summary>
    public string DownloadPath => $"/gateway/v1/files/{FileId}";
}
