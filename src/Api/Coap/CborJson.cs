using System.Buffers;
using System.Formats.Cbor;
using System.Text.Json;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// Converts values between CBOR (RFC 8949) and JSON, the platform's one form for payloads and
/// results. CBOR to JSON follows RFC 8949 §6.1: maps need text keys, byte strings become
/// base64url text, tags are dropped (their content kept), undefined becomes null; NaN, infinities
/// and integers beyond 64 bits have no JSON form and are refused. JSON to CBOR writes integers
/// as integers and other numbers in the shortest float that keeps their value. Map keys may be
/// renamed on the way (<see cref="KeyNames"/>): the exchange's compact keys.
/// </summary>
public static class CborJson
{
    public const int MaxDepth = 64;

    /// <summary>The names of one object's keys, and of the objects inside each (for a list of objects, its items').</summary>
    public sealed record KeyNames(IReadOnlyDictionary<string, (string Name, KeyNames? Inner)> Keys)
    {
        /// <summary>The same names the other way round (long to short): for writing what these names read.</summary>
        public KeyNames Reversed() => new(Keys.ToDictionary(k => k.Value.Name, k => (k.Key, k.Value.Inner?.Reversed())));
    }

    /// <summary>Writes one CBOR data item as JSON; the error names what has no JSON form.</summary>
    public static bool TryWriteJson(CborReader reader, Utf8JsonWriter writer, KeyNames? names, out string? error)
    {
        try
        {
            error = Write(reader, writer, names, 0);
        }
        catch (Exception exception) when (exception is CborContentException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            // Malformed CBOR (a truncated item, a bad UTF-8 string, a duplicate key in strict mode).
            error = $"not well-formed CBOR: {exception.Message}";
        }

        return error is null;
    }

    /// <summary>Writes one JSON value (stored text, valid) as CBOR, its keys renamed by <paramref name="names"/>.</summary>
    public static void WriteCbor(ref Utf8JsonReader reader, CborWriter writer, KeyNames? names = null)
    {
        reader.Read();
        WriteValue(ref reader, writer, names);
    }

    private static string? Write(CborReader reader, Utf8JsonWriter writer, KeyNames? names, int depth)
    {
        if (depth > MaxDepth)
        {
            return $"nested deeper than {MaxDepth}";
        }

        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
                writer.WriteNumberValue(reader.ReadUInt64());
                return null;
            case CborReaderState.NegativeInteger:
                var negative = reader.ReadCborNegativeIntegerRepresentation();
                if (negative > long.MaxValue)
                {
                    return "an integer beyond 64 bits";
                }

                writer.WriteNumberValue(-1 - (long)negative);
                return null;
            case CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat:
                var number = reader.ReadDouble();
                if (!double.IsFinite(number))
                {
                    return "a NaN or infinite number";
                }

                writer.WriteNumberValue(number);
                return null;
            case CborReaderState.TextString:
                writer.WriteStringValue(reader.ReadTextString());
                return null;
            case CborReaderState.ByteString:
                writer.WriteStringValue(Convert.ToBase64String(reader.ReadByteString()).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
                return null;
            case CborReaderState.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                return null;
            case CborReaderState.Null or CborReaderState.SimpleValue:
                reader.SkipValue();
                writer.WriteNullValue();
                return null;
            case CborReaderState.Tag:
                reader.ReadTag();
                return Write(reader, writer, names, depth);
            case CborReaderState.StartArray:
                reader.ReadStartArray();
                writer.WriteStartArray();
                while (reader.PeekState() != CborReaderState.EndArray)
                {
                    if (Write(reader, writer, names, depth + 1) is { } inner)
                    {
                        return inner;
                    }
                }

                reader.ReadEndArray();
                writer.WriteEndArray();
                return null;
            case CborReaderState.StartMap:
                reader.ReadStartMap();
                writer.WriteStartObject();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    if (reader.PeekState() != CborReaderState.TextString)
                    {
                        return "a map key that is not text";
                    }

                    var key = reader.ReadTextString();
                    var (name, inner) = names is not null && names.Keys.TryGetValue(key, out var renamed) ? renamed : (key, null);
                    writer.WritePropertyName(name);
                    if (Write(reader, writer, inner, depth + 1) is { } error)
                    {
                        return error;
                    }
                }

                reader.ReadEndMap();
                writer.WriteEndObject();
                return null;
            default:
                return $"a CBOR item with no JSON form ({reader.PeekState()})";
        }
    }

    private static void WriteValue(ref Utf8JsonReader reader, CborWriter writer, KeyNames? names)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                writer.WriteStartMap(null);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    var (name, inner) = names is not null && names.Keys.TryGetValue(key, out var renamed) ? renamed : (key, null);
                    writer.WriteTextString(name);
                    reader.Read();
                    WriteValue(ref reader, writer, inner);
                }

                writer.WriteEndMap();
                break;
            case JsonTokenType.StartArray:
                writer.WriteStartArray(null);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteValue(ref reader, writer, names);
                }

                writer.WriteEndArray();
                break;
            case JsonTokenType.String:
                writer.WriteTextString(reader.GetString()!);
                break;
            case JsonTokenType.Number:
                WriteNumber(ref reader, writer);
                break;
            case JsonTokenType.True or JsonTokenType.False:
                writer.WriteBoolean(reader.GetBoolean());
                break;
            default:
                writer.WriteNull();
                break;
        }
    }

    private static void WriteNumber(ref Utf8JsonReader reader, CborWriter writer)
    {
        if (reader.TryGetInt64(out var integer))
        {
            writer.WriteInt64(integer);
        }
        else if (reader.TryGetUInt64(out var large))
        {
            writer.WriteUInt64(large);
        }
        else
        {
            var number = reader.GetDouble();
            if ((double)(Half)number == number)
            {
                writer.WriteHalf((Half)number);
            }
            else if ((double)(float)number == number)
            {
                writer.WriteSingle((float)number);
            }
            else
            {
                writer.WriteDouble(number);
            }
        }
    }

    /// <summary>A buffer for one conversion.</summary>
    internal static ArrayBufferWriter<byte> Buffer(int size) => new(Math.Max(256, size * 2));
}
