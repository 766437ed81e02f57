using System.Formats.Cbor;
using System.Text.Json;
using Embever.Actors.Devices;
using Names = Embever.Actors.Api.Coap.CborJson.KeyNames;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// The exchange in CBOR (content-format 60): the JSON exchange with one-letter keys, byte for
/// byte as docs/gateway-protocol.md shows. A request is turned into the JSON request and checked
/// by the same rules as over HTTP (a bad field is named by its JSON path); an answer is written
/// from the same <see cref="ExchangeAnswer"/> as the JSON one, leaving out empty lists.
/// </summary>
public static class ExchangeCbor
{
    /// <summary>Short request keys and the JSON names they stand for; payloads and results are free-form and keep theirs.</summary>
    public static readonly Names Request = new(new Dictionary<string, (string, Names?)>
    {
        ["e"] = ("events", new Names(new Dictionary<string, (string, Names?)> { ["t"] = ("type", null), ["p"] = ("payload", null) })),
        ["a"] = ("acks", null),
        ["r"] = ("responses", new Names(new Dictionary<string, (string, Names?)> { ["a"] = ("action", null), ["r"] = ("result", null), ["c"] = ("result_code", null) })),
        ["f"] = ("file_transfers", new Names(new Dictionary<string, (string, Names?)> { ["a"] = ("action", null), ["s"] = ("status", null) })),
    });

    /// <summary>Short answer keys (<see cref="FromAnswer"/> writes them) and the JSON names they stand for: what a device reads.</summary>
    public static readonly Names Answer = new(new Dictionary<string, (string, Names?)>
    {
        ["a"] = ("actions", new Names(new Dictionary<string, (string, Names?)> { ["i"] = ("id", null), ["t"] = ("type", null), ["p"] = ("payload", null), ["s"] = ("service_level", null) })),
        ["e"] = ("events", null),
        ["x"] = ("rejected", new Names(new Dictionary<string, (string, Names?)> { ["a"] = ("action", null), ["r"] = ("reason", null) })),
    });

    /// <summary>The JSON form of a CBOR exchange request (its keys long), or why there is none.</summary>
    public static (byte[]? Json, string? Error) ToJson(ReadOnlyMemory<byte> cbor)
    {
        if (cbor.IsEmpty)
        {
            return ("{}"u8.ToArray(), null);
        }

        var reader = new CborReader(cbor, CborConformanceMode.Strict);
        var buffer = CborJson.Buffer(cbor.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (!CborJson.TryWriteJson(reader, writer, Request, out var error))
            {
                return (null, $"The payload is {error}.");
            }
        }

        return reader.BytesRemaining > 0 ? (null, "The payload has bytes after its CBOR item.") : (buffer.WrittenSpan.ToArray(), null);
    }

    /// <summary>An exchange's answer: <c>{"a": [{"i": id, "t": type, "p": payload, "s": service level}], "e": [event ids], "x": [{"a": action, "r": reason}]}</c>.</summary>
    public static byte[] FromAnswer(ExchangeAnswer answer)
    {
        var writer = new CborWriter(CborConformanceMode.Strict, convertIndefiniteLengthEncodings: true);
        var members = (answer.Actions.Count > 0 ? 1 : 0) + (answer.Events.Count > 0 ? 1 : 0) + (answer.Rejected.Count > 0 ? 1 : 0);
        writer.WriteStartMap(members);
        if (answer.Actions.Count > 0)
        {
            writer.WriteTextString("a");
            writer.WriteStartArray(answer.Actions.Count);
            foreach (var action in answer.Actions)
            {
                writer.WriteStartMap(4);
                writer.WriteTextString("i");
                writer.WriteInt64(action.Id);
                writer.WriteTextString("t");
                writer.WriteTextString(action.Type);
                writer.WriteTextString("p");
                var payload = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(action.PayloadJson));
                CborJson.WriteCbor(ref payload, writer);
                writer.WriteTextString("s");
                writer.WriteInt32(action.ServiceLevel);
                writer.WriteEndMap();
            }

            writer.WriteEndArray();
        }

        if (answer.Events.Count > 0)
        {
            writer.WriteTextString("e");
            writer.WriteStartArray(answer.Events.Count);
            foreach (var id in answer.Events)
            {
                writer.WriteInt64(id);
            }

            writer.WriteEndArray();
        }

        if (answer.Rejected.Count > 0)
        {
            writer.WriteTextString("x");
            writer.WriteStartArray(answer.Rejected.Count);
            foreach (var rejection in answer.Rejected)
            {
                writer.WriteStartMap(2);
                writer.WriteTextString("a");
                writer.WriteInt64(rejection.Action);
                writer.WriteTextString("r");
                writer.WriteTextString(rejection.Reason);
                writer.WriteEndMap();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndMap();
        return writer.Encode();
    }
}
