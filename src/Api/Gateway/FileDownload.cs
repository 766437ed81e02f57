using System.Globalization;
using Embever.Actors.Files;
using Microsoft.Net.Http.Headers;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// Streams a stored file to a device: the whole file (200) or one byte range (206) so that an
/// interrupted transfer resumes where it stopped. <c>ETag</c> and <c>X-Content-SHA256</c> carry the
/// SHA-256 of the whole file; <c>If-Range</c> with another ETag gets the whole file again.
/// </summary>
public static class FileDownload
{
    public const string Sha256Header = "X-Content-SHA256";

    public static async Task WriteAsync(HttpContext context, FileRecord file, BlobInfo blob, DeviceGateway gateway)
    {
        var response = context.Response;
        var etag = $"\"{file.Sha256}\"";
        response.Headers.ETag = etag;
        response.Headers[Sha256Header] = file.Sha256;
        response.Headers.AcceptRanges = "bytes";
        response.ContentType = file.MediaType;

        var (offset, length) = (0L, blob.Size);
        var range = RangeFor(context.Request, etag);
        if (range is { } requested)
        {
            if (!TryResolve(requested, blob.Size, out offset, out length))
            {
                // Not the file's bytes: a problem, with the size the device may ask within.
                response.Headers.ContentRange = $"bytes */{blob.Size}";
                await Http.Problems.RangeNotSatisfiable(blob.Size).ExecuteAsync(context);
                return;
            }

            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{offset + length - 1}/{blob.Size}");
        }

        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await gateway.CopyAsync(blob, offset, length, response.Body, context.RequestAborted);
    }

    private static RangeItemHeaderValue? RangeFor(HttpRequest request, string etag)
    {
        if (!RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var range)
            || range.Unit != "bytes" || range.Ranges.Count != 1)
        {
            return null;
        }

        string? ifRange = request.Headers.IfRange;
        return ifRange is null || ifRange == etag ? range.Ranges.Single() : null;
    }

    private static bool TryResolve(RangeItemHeaderValue range, long size, out long offset, out long length)
    {
        (offset, length) = (0, 0);
        if (range.From is { } from)
        {
            if (from >= size)
            {
                return false;
            }

            var to = Math.Min(range.To ?? size - 1, size - 1);
            (offset, length) = (from, to - from + 1);
            return length > 0;
        }

        if (range.To is { } suffix && suffix > 0 && size > 0)
        {
            length = Math.Min(suffix, size);
            offset = size - length;
            return true;
        }

        return false;
    }
}
