using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Firmware;

/// <summary>
/// <c>POST /v2/firmwares/</c>: as <c>multipart/form-data</c> (these fields, and the image as a
/// <c>file</c> part) or as JSON (the image in <c>file</c> as a base64 <c>data:</c> URI).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FirmwareUploadRequest : IRequestBody<FirmwareUploadRequest>
{
    public const long MaxImageSize = 64 * 1024 * 1024;

    /// <summary>A JSON body carries the image in base64.</summary>
    public static long BodyLimit => (MaxImageSize * 4 / 3) + (64 * 1024);

    [NotBlank, MaxLength(255)]
    public required string Version { get; init; }

    [NotBlank, MaxLength(255)]
    public required string Alias { get; init; }

    /// <summary>Which microcontroller it is for: EBV (Embever's) or APP (the application's).</summary>
    [OneOf("EBV", "APP")]
    public required string Dest { get; init; }

    [MaxLength(4096)]
    public string? Description { get; init; }

    /// <summary>The firmware this one updates from, if it needs one (its id).</summary>
    [MaxLength(255)]
    public string? Predecessor { get; init; }

    /// <summary>The image (multipart: a file part; JSON: a <c>data:&lt;type&gt;;base64,…</c> URI).</summary>
    [DisallowNull]
    public string? File { get; init; }
}
