using System.Buffers;
using System.Text.Json;

namespace Embever.Actors.Api.Http;

/// <summary>
/// Reads a request body as one JSON object, refusing what is not: a body over the limit (413),
/// a non-JSON content type (415), malformed JSON, a key given twice, a string that is not valid
/// UTF-8 or holds an unpaired surrogate, nesting deeper than 64, or a non-object (400). Handlers
/// then read the fields themselves, so every wrong type gets a message naming its field.
/// </summary>
public static class JsonBody
{
    public const long DefaultLimit = 256 * 1024;

    public static async Task<(JsonElement Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, long limit = DefaultLimit, bool emptyIsObject = false)
    {
        if (request.ContentType is { } contentType && !IsJson(contentType))
        {
            return (default, Problems.UnsupportedMediaType());
        }

        if (request.ContentLength > limit)
        {
            return (default, Problems.TooLarge(limit));
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 1024, limit) + 1);
        var memory = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(memory, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.WrittenCount + read > limit)
                {
                    return (default, Problems.TooLarge(limit));
                }

                buffer.Write(memory.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(memory);
        }

        var (body, error) = ParseObject(buffer.WrittenMemory, emptyIsObject);
        return error is null ? (body, null) : (default, Problems.BadRequest(error));
    }

    /// <summary>Parses a body already read (a CoAP payload) as one JSON object; the error says why not.</summary>
    public static (JsonElement Body, string? Error) ParseObject(ReadOnlyMemory<byte> body, bool emptyIsObject)
    {
        if (body.IsEmpty && emptyIsObject)
        {
            body = "{}"u8.ToArray();
        }

        if (body.IsEmpty)
        {
            return (default, "The request body is empty; send a JSON object.");
        }

        try
        {
            using var document = JsonDocument.Parse(body, Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (default, "The request body must be a JSON object.");
            }

            if (!HasValidText(body.Span, document.RootElement))
            {
                return (default, "The request body has a string that is not valid UTF-8, holds an unpaired surrogate (\\ud800-\\udfff) or a NUL character (\\u0000).");
            }

            return (document.RootElement.Clone(), null);
        }
        catch (JsonException exception)
        {
            return (default, $"The request body is not valid JSON: {exception.Message}");
        }
    }

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>
    /// Whether every string and key can be read as text and stored: the parser checks the syntax
    /// only, and a bad byte or a lone surrogate escape would otherwise surface later, as an
    /// exception; a NUL character cannot be stored in PostgreSQL.
    /// </summary>
    private static bool HasValidText(ReadOnlySpan<byte> body, JsonElement element)
    {
        // Valid UTF-8 without a \u escape (nearly every body, and every device exchange) cannot hold
        // a lone surrogate or a NUL (a raw control character is already a syntax error): no walk.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return false;
        }

        if (body.IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return !element.GetString()!.Contains('\0');
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name.Contains('\0') || !Walk(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!Walk(item))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}
