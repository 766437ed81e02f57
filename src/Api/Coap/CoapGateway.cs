using System.Net;
using System.Text.Json;
using Embever.Actors.Api.Gateway;
using Embever.Actors.Api.Http;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// The gateway's resources over CoAP (docs/gateway-protocol.md): <c>POST /x</c> is the exchange,
/// <c>GET /f/{id}</c> a block-wise download (RFC 7959). The work is <see cref="DeviceGateway"/>'s,
/// the same as over HTTP; this reads and writes CoAP's forms of it (JSON or CBOR) and maps its
/// outcomes to response codes.
/// </summary>
public sealed class CoapGateway(DeviceGateway gateway, ExchangeBlocks blocks, IServiceProvider services, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>Critical options these resources understand; any other critical option is a 4.02 (RFC 7252 §5.4.1).</summary>
    private static readonly HashSet<ushort> Understood = [CoapOption.UriHost, CoapOption.UriPort, CoapOption.UriPath, CoapOption.UriQuery, CoapOption.Accept, CoapOption.Block2, CoapOption.Block1];

    /// <summary>
    /// Answers one request; <paramref name="session"/> is the DTLS session's device, else the
    /// credentials come from Uri-Query. <paramref name="peer"/> names the sender (its address or
    /// DTLS session): the later blocks of a large exchange answer are its own; <paramref name="source"/>
    /// is its address, which failed credentials are charged to.
    /// </summary>
    public async Task<CoapResponse> HandleAsync(CoapMessage request, string peer, IPAddress? source, DeviceCredentials? session, CancellationToken cancellationToken)
    {
        if (request.Options.FirstOrDefault(o => o.IsCritical && !Understood.Contains(o.Number)) is { Value: not null } unknown)
        {
            return CoapResponse.Error(CoapCode.BadOption, $"Option {unknown.Number} is not understood.");
        }

        // Block1 is taken only as a whole request in its one block (libcoap's -b says so of every request).
        if (request.First(CoapOption.Block1) is { } block1 && BlockOption.From(block1) is not { Number: 0, More: false })
        {
            return CoapResponse.Error(CoapCode.BadOption, "Block1 is not supported: send the exchange in one message.");
        }

        var path = request.All(CoapOption.UriPath).Select(o => o.AsText()).ToList();
        var credentials = session ?? FromQuery(request);
        return path switch
        {
            ["x"] when request.Code == CoapCode.Post => await ExchangeAsync(request, peer, source, credentials, cancellationToken),
            ["f", var id] when request.Code == CoapCode.Get => await DownloadAsync(request, id, source, credentials, cancellationToken),
            ["x"] or ["f", _] => CoapResponse.Error(CoapCode.MethodNotAllowed, "POST /x exchanges; GET /f/{id} downloads."),
            _ => CoapResponse.Error(CoapCode.NotFound, "No such resource: POST /x exchanges; GET /f/{id} downloads."),
        };
    }

    /// <summary>Plain CoAP's credentials: <c>?d=&lt;device id&gt;&amp;p=&lt;password&gt;</c>.</summary>
    private static DeviceCredentials? FromQuery(CoapMessage request)
    {
        string? device = null, password = null;
        foreach (var option in request.All(CoapOption.UriQuery))
        {
            var text = option.AsText();
            if (text.StartsWith("d=", StringComparison.Ordinal))
            {
                device = text[2..];
            }
            else if (text.StartsWith("p=", StringComparison.Ordinal))
            {
                password = text[2..];
            }
        }

        return device is not null && password is not null && Platform.ShortIds.LooksValid(device) ? new DeviceCredentials(device, password) : null;
    }

    private async Task<CoapResponse> ExchangeAsync(CoapMessage request, string peer, IPAddress? source, DeviceCredentials? credentials, CancellationToken cancellationToken)
    {
        var asked = request.First(CoapOption.Block2) is { } option ? BlockOption.From(option) : null;
        if (request.First(CoapOption.Block2) is not null && asked is null)
        {
            return CoapResponse.Error(CoapCode.BadOption, "Block2 must be at most three bytes, with a size exponent of 0 to 6.");
        }

        if (asked is { Number: > 0 } later)
        {
            // A later block of the answer the exchange already got: never the exchange again.
            return blocks.Find(peer) is var (etag, whole, kept) && later.Offset < whole.Length
                ? Block(whole, kept, etag, later)
                : CoapResponse.Error(CoapCode.RequestEntityIncomplete, "No answer of an exchange is kept for this block any more: exchange again.");
        }

        var format = request.First(CoapOption.ContentFormat)?.AsUint() ?? ContentFormats.Json;
        if (format is not (ContentFormats.Json or ContentFormats.Cbor))
        {
            return CoapResponse.Error(CoapCode.UnsupportedContentFormat, "Send the exchange as JSON (content-format 50) or CBOR (60).");
        }

        var accept = request.First(CoapOption.Accept)?.AsUint() ?? format;
        if (accept is not (ContentFormats.Json or ContentFormats.Cbor))
        {
            return CoapResponse.Error(CoapCode.NotAcceptable, "The exchange answers in JSON (Accept 50) or CBOR (60).");
        }

        string? invalid = null;
        var result = await gateway.ExchangeAsync(
            credentials,
            source,
            () =>
            {
                (var body, invalid) = Read(request.Payload, format);
                return ValueTask.FromResult(body);
            },
            "coap",
            cancellationToken);
        if (result.Outcome != GatewayOutcome.Ok)
        {
            return result.Outcome switch
            {
                GatewayOutcome.Invalid => CoapResponse.Error(CoapCode.BadRequest, invalid!),
                GatewayOutcome.TooLarge => CoapResponse.Error(CoapCode.RequestEntityTooLarge, result.Detail!),
                _ => Refusal(result.Outcome, result.RetryAfter),
            };
        }

        var answer = accept == ContentFormats.Cbor
            ? ExchangeCbor.FromAnswer(result.Answer!)
            : JsonSerializer.SerializeToUtf8Bytes(ExchangeResponse.From(result.Answer!), json.Value.SerializerOptions);
        var first = asked ?? new BlockOption(0, false, BlockOption.LargestExponent);
        if (answer.Length <= Math.Min(first.Size, ExchangeBlocks.DefaultBlock))
        {
            return new CoapResponse(CoapCode.Changed, [CoapOption.Uint(CoapOption.ContentFormat, accept)], answer);
        }

        // Larger than a block (or than the device's): block-wise, the rest kept for its Block2 requests.
        return Block(answer, accept, blocks.Keep(peer, answer, accept), first);
    }

    /// <summary>One block of a large exchange answer, with its ETag, and its total size in the first.</summary>
    private static CoapResponse Block(byte[] whole, uint format, byte[] etag, BlockOption block)
    {
        var length = (int)Math.Min(block.Size, whole.Length - block.Offset);
        List<CoapOption> options =
        [
            new CoapOption(CoapOption.ETag, etag),
            CoapOption.Uint(CoapOption.ContentFormat, format),
            (block with { More = block.Offset + length < whole.Length }).ToOption(CoapOption.Block2),
        ];
        if (block.Number == 0)
        {
            options.Add(CoapOption.Uint(CoapOption.Size2, (uint)whole.Length));
        }

        return new CoapResponse(CoapCode.Changed, options, whole.AsSpan((int)block.Offset, length).ToArray());
    }

    /// <summary>The exchange request in a payload of either format, checked as over HTTP; or what is wrong with it.</summary>
    private (ExchangeRequest? Request, string? Problem) Read(byte[] payload, uint format)
    {
        var text = (ReadOnlyMemory<byte>)payload;
        if (format == ContentFormats.Cbor)
        {
            var (converted, error) = ExchangeCbor.ToJson(payload);
            if (converted is null)
            {
                return (null, error);
            }

            text = converted;
        }

        var (body, parseError) = JsonBody.ParseObject(text, emptyIsObject: true);
        if (parseError is not null)
        {
            return (null, parseError);
        }

        var errors = new FieldErrors();
        var request = RequestBody.Bind<ExchangeRequest>(body, services, errors);
        return request is not null && errors.IsEmpty ? (request, null) : (null, errors.Describe());
    }

    private async Task<CoapResponse> DownloadAsync(CoapMessage request, string id, IPAddress? source, DeviceCredentials? credentials, CancellationToken cancellationToken)
    {
        var asked = request.First(CoapOption.Block2) is { } option ? BlockOption.From(option) : new BlockOption(0, false, BlockOption.LargestExponent);
        if (asked is not { } block)
        {
            return CoapResponse.Error(CoapCode.BadOption, "Block2 must be at most three bytes, with a size exponent of 0 to 6.");
        }

        // A download is one request against the device's rate, however many blocks it takes.
        var found = await gateway.FindFileAsync(credentials, source, id, counted: block.Number == 0);
        if (found.Outcome != GatewayOutcome.Ok)
        {
            return Refusal(found.Outcome, found.RetryAfter);
        }

        var size = found.Blob!.Size;
        if (block.Offset >= size && block.Number > 0)
        {
            return CoapResponse.Error(CoapCode.BadOption, $"Block {block.Number} of {block.Size} bytes is beyond the file's {size} bytes.");
        }

        var length = (int)Math.Min(block.Size, size - block.Offset);
        using var content = new MemoryStream(length);
        if (length > 0)
        {
            await gateway.CopyAsync(found.Blob, block.Offset, length, content, cancellationToken);
        }

        // The ETag is the first 8 bytes of the file's SHA-256: a device resuming compares it with the one it began with.
        List<CoapOption> options =
        [
            new CoapOption(CoapOption.ETag, Convert.FromHexString(found.File!.Sha256.AsSpan(0, 16))),
            CoapOption.Uint(CoapOption.ContentFormat, ContentFormats.OctetStream),
            (block with { More = block.Offset + length < size }).ToOption(CoapOption.Block2),
        ];
        if (block.Number == 0 || request.First(CoapOption.Size2) is not null)
        {
            options.Add(CoapOption.Uint(CoapOption.Size2, (uint)Math.Min(size, uint.MaxValue)));
        }

        return new CoapResponse(CoapCode.Content, options, content.ToArray());
    }

    private static CoapResponse Refusal(GatewayOutcome outcome, TimeSpan retryAfter) => outcome switch
    {
        GatewayOutcome.Unauthorized => CoapResponse.Error(CoapCode.Unauthorized, "Wrong device credentials."),
        GatewayOutcome.RateLimited => CoapResponse.Error(CoapCode.TooManyRequests, "Too many requests from this device, or too many failed ones from this address; wait as Max-Age says.", CoapResponse.MaxAge(retryAfter)),
        GatewayOutcome.Busy => CoapResponse.Error(CoapCode.ServiceUnavailable, "The gateway is working on as many exchanges as it takes; try again as Max-Age says.", CoapResponse.MaxAge(retryAfter)),
        _ => CoapResponse.Error(CoapCode.NotFound, "No such file for this device."),
    };
}
