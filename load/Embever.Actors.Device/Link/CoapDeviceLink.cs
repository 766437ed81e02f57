using System.Formats.Cbor;
using System.Text.Json;
using System.Text.Json.Nodes;
using Embever.Actors.Api.Coap;

namespace Embever.Actors.Device.Link;

/// <summary>The exchange and downloads over CoAP (docs/gateway-protocol.md), in JSON or in the compact CBOR form.</summary>
public sealed class CoapDeviceLink(CoapLink coap, bool cbor, int blockSize = 1024) : IDeviceLink
{
    private static readonly CborJson.KeyNames RequestKeys = ExchangeCbor.Request.Reversed();

    public WireCounter Wire => coap.Channel.Wire;

    public CoapLink Coap => coap;

    public Task<JsonObject> ExchangeAsync(JsonObject request)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(request);
        byte[] payload;
        if (cbor)
        {
            var writer = new CborWriter(CborConformanceMode.Strict, convertIndefiniteLengthEncodings: true);
            var reader = new Utf8JsonReader(json);
            CborJson.WriteCbor(ref reader, writer, RequestKeys);
            payload = writer.Encode();
        }
        else
        {
            payload = json;
        }

        var format = cbor ? ContentFormats.Cbor : ContentFormats.Json;
        var answer = coap.Request(CoapCode.Post, ["x"], [CoapOption.Uint(CoapOption.ContentFormat, format)], request.Count == 0 ? [] : payload)
            ?? throw new GatewayException("No answer to the exchange.");
        if (answer.Code != CoapCode.Changed)
        {
            throw new GatewayException($"{answer.Code} {System.Text.Encoding.UTF8.GetString(answer.Payload)}");
        }

        return Task.FromResult(Decode(answer with { Payload = RestOfAnswer(answer) }));
    }

    /// <summary>A large answer comes block-wise (RFC 7959 Block2): the rest is fetched, the exchange not repeated.</summary>
    private byte[] RestOfAnswer(CoapMessage first)
    {
        if (first.First(CoapOption.Block2) is not { } option || BlockOption.From(option) is not { More: true } block)
        {
            return first.Payload;
        }

        var whole = new MemoryStream();
        whole.Write(first.Payload);
        var etag = first.First(CoapOption.ETag)?.Value ?? [];
        while (block.More)
        {
            block = new BlockOption(block.Number + 1, false, block.SizeExponent);
            var next = coap.Request(CoapCode.Post, ["x"], [block.ToOption(CoapOption.Block2)], [])
                ?? throw new GatewayException($"No answer for block {block.Number} of the exchange's answer.");
            if (next.Code != CoapCode.Changed || !(next.First(CoapOption.ETag)?.Value ?? []).AsSpan().SequenceEqual(etag))
            {
                throw new GatewayException($"Block {block.Number} of the exchange's answer: {next.Code} {System.Text.Encoding.UTF8.GetString(next.Payload)}");
            }

            whole.Write(next.Payload);
            block = next.First(CoapOption.Block2) is { } more && BlockOption.From(more) is { } received ? received : block with { More = false };
        }

        return whole.ToArray();
    }

    public Task<string> DownloadAsync(string fileId, Stream destination, long offset)
    {
        var exponent = System.Numerics.BitOperations.Log2((uint)blockSize) - 4;
        var number = (uint)(offset / blockSize);
        string? etag = null;
        while (true)
        {
            var block = new BlockOption(number, false, exponent);
            var answer = coap.Request(CoapCode.Get, ["f", fileId], [block.ToOption(CoapOption.Block2)], []) ?? throw new GatewayException($"No answer for block {number}.");
            if (answer.Code != CoapCode.Content)
            {
                throw new GatewayException($"{answer.Code} {System.Text.Encoding.UTF8.GetString(answer.Payload)}");
            }

            var tag = Convert.ToHexStringLower(answer.First(CoapOption.ETag)?.Value ?? []);
            if (etag is not null && tag != etag)
            {
                throw new GatewayException("The file changed during the download (another ETag).");
            }

            etag = tag;
            var skip = number == offset / blockSize ? (int)(offset % blockSize) : 0;
            destination.Write(answer.Payload.AsSpan(Math.Min(skip, answer.Payload.Length)));
            var received = answer.First(CoapOption.Block2) is { } option ? BlockOption.From(option) : null;
            if (received is not { More: true })
            {
                return Task.FromResult(etag);
            }

            number++;
        }
    }

    public void Wake()
    {
    }

    public void Dispose() => coap.Dispose();

    private static JsonObject Decode(CoapMessage answer)
    {
        if (answer.First(CoapOption.ContentFormat)?.AsUint() != ContentFormats.Cbor)
        {
            return JsonNode.Parse(answer.Payload)!.AsObject();
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (!CborJson.TryWriteJson(new CborReader(answer.Payload), writer, ExchangeCbor.Answer, out var error))
            {
                throw new GatewayException($"The answer is {error}.");
            }
        }

        var decoded = JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
        foreach (var list in new[] { "actions", "events", "rejected" })
        {
            decoded[list] ??= new JsonArray();
        }

        return decoded;
    }
}
