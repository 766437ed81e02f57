using System.Text.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Api.Http;
using Embever.Actors.Files;
using Microsoft.AspNetCore.Http.Features;

namespace Embever.Actors.Api.Firmware;

/// <summary>
/// A firmware upload, read from either form: <c>multipart/form-data</c> with the fields and a
/// <c>file</c> part (streamed, for images of any size up to the limit), or a JSON body whose
/// <c>file</c> is a base64 <c>data:</c> URI (convenient for small images). Both are checked as
/// one <see cref="FirmwareUploadRequest"/>.
/// </summary>
public sealed record FirmwareUpload(FirmwareUploadRequest Fields, string MediaType, Func<Stream> OpenContent)
{
    private const long MaxImageSize = FirmwareUploadRequest.MaxImageSize;

    public static async Task<(FirmwareUpload? Upload, IResult? Problem)> ReadAsync(HttpContext context)
    {
        // Images are larger than Kestrel's default body limit; this endpoint sets its own.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = FirmwareUploadRequest.BodyLimit + (1024 * 1024);
        }

        return context.Request.HasFormContentType ? await ReadFormAsync(context) : await ReadJsonAsync(context);
    }

    private static async Task<(FirmwareUpload?, IResult?)> ReadFormAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxImageSize + (1024 * 1024))
        {
            return (null, Problems.TooLarge(MaxImageSize));
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxImageSize + (1024 * 1024) });
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or BadHttpRequestException)
        {
            return (null, Problems.BadRequest($"The multipart body could not be read: {exception.Message}"));
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            return (null, Problems.Field("file", "Upload the image as a non-empty 'file' part."));
        }

        if (file.Length > MaxImageSize)
        {
            return (null, Problems.TooLarge(MaxImageSize));
        }

        var fields = new JsonObject();
        foreach (var (key, value) in form)
        {
            fields[key] = value.ToString();
        }

        var (request, problem) = await RequestBody.BindAsync<FirmwareUploadRequest>(JsonSerializer.SerializeToElement(fields), context);
        if (request?.File is not null)
        {
            return (null, Problems.Field("file", "Upload the image as a 'file' part, not as a text field."));
        }

        return request is null ? (null, problem) : (new FirmwareUpload(request, file.ContentType ?? "application/octet-stream", file.OpenReadStream), null);
    }

    private static async Task<(FirmwareUpload?, IResult?)> ReadJsonAsync(HttpContext context)
    {
        var (request, problem) = await RequestBody.ReadAsync<FirmwareUploadRequest>(context);
        if (request is null)
        {
            return (null, problem);
        }

        if (request.File is null || !DataUri.TryParse(request.File, out var mediaType, out var content) || content.Length == 0)
        {
            return (null, Problems.Field("file", "Must be a non-empty data:<type>/<format>;base64,<data> URI (or upload multipart/form-data)."));
        }

        return (new FirmwareUpload(request, mediaType, () => new MemoryStream(content)), null);
    }
}
