using System.Text.Json;
using Embever.Actors.Api.Http;
using Embever.Actors.Files;
using Microsoft.AspNetCore.Http.Features;

namespace Embever.Actors.Api.Firmware;

/// <summary>
/// A firmware upload, read from either form: <c>multipart/form-data</c> with the fields and a
/// <c>file</c> part (streamed, for images of any size up to the limit), or a JSON body whose
/// <c>file</c> is a base64 <c>data:</c> URI (convenient for small images).
/// </summary>
public sealed record FirmwareUpload(string Version, string Alias, string Dest, string Description, string? Predecessor, string MediaType, Func<Stream> OpenContent)
{
    public const long MaxImageSize = 64 * 1024 * 1024;
    private static readonly string[] Fields = ["version", "alias", "dest", "description", "predecessor", "file"];

    public static async Task<(FirmwareUpload? Upload, IResult? Problem)> ReadAsync(HttpRequest request)
    {
        // Images are larger than Kestrel's default body limit; this endpoint sets its own.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = (MaxImageSize * 4 / 3) + (1024 * 1024);
        }

        return request.HasFormContentType ? await ReadFormAsync(request) : await ReadJsonAsync(request);
    }

    private static async Task<(FirmwareUpload?, IResult?)> ReadFormAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxImageSize + (1024 * 1024))
        {
            return (null, Problems.TooLarge(MaxImageSize));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxImageSize + (1024 * 1024) });
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or BadHttpRequestException)
        {
            return (null, Problems.BadRequest($"The multipart body could not be read: {exception.Message}"));
        }

        var fields = new Dictionary<string, object?>();
        foreach (var (key, value) in form)
        {
            fields[key] = value.ToString();
        }

        var file = form.Files.GetFile("file");
        var body = new JsonFields(JsonSerializer.SerializeToElement(fields));
        body.Allow(Fields);
        if (file is null || file.Length == 0)
        {
            body.Error("file", "Upload the image as a non-empty 'file' part.");
        }
        else if (file.Length > MaxImageSize)
        {
            return (null, Problems.TooLarge(MaxImageSize));
        }

        return Build(body, file?.ContentType ?? "application/octet-stream", () => file!.OpenReadStream());
    }

    private static async Task<(FirmwareUpload?, IResult?)> ReadJsonAsync(HttpRequest request)
    {
        var (json, problem) = await JsonBody.ReadObjectAsync(request, (MaxImageSize * 4 / 3) + (64 * 1024));
        if (problem is not null)
        {
            return (null, problem);
        }

        var fields = new JsonFields(json).Allow(Fields);
        var uri = fields.String("file", required: true, maxLength: int.MaxValue);
        byte[] content = [];
        var mediaType = "application/octet-stream";
        if (uri is not null && (!DataUri.TryParse(uri, out mediaType, out content) || content.Length == 0))
        {
            fields.Error("file", "Must be a non-empty data:<type>/<format>;base64,<data> URI (or upload multipart/form-data).");
        }

        return Build(fields, mediaType, () => new MemoryStream(content));
    }

    private static (FirmwareUpload?, IResult?) Build(JsonFields fields, string mediaType, Func<Stream> open)
    {
        var version = fields.String("version", required: true);
        var alias = fields.String("alias", required: true);
        var dest = fields.String("dest", required: true);
        if (dest is not null and not ("EBV" or "APP"))
        {
            fields.Error("dest", "Must be EBV (Embever microcontroller) or APP (application microcontroller).");
        }

        var description = fields.String("description", maxLength: 4096, allowEmpty: true) ?? "";
        var predecessor = fields.String("predecessor", allowNull: true);
        return fields.IsValid
            ? (new FirmwareUpload(version!, alias!, dest!, description, string.IsNullOrEmpty(predecessor) ? null : predecessor, mediaType, open), null)
            : (null, fields.Problem());
    }
}
