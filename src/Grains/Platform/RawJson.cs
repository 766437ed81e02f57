using System.Text.Json;
using System.Text.Json.Serialization;

namespace Embever.Actors.Platform;

/// <summary>
/// JSON text the platform stores but never looks into (payloads, results): written into
/// responses as it is, without parsing it again.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(string? Text)
{
    public static RawJson From(string? text) => new(text);

    private sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return new RawJson(document.RootElement.GetRawText());
        }

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
        {
            if (value.Text is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(value.Text, skipInputValidation: true);
            }
        }
    }
}
