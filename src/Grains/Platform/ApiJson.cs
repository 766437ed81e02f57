using System.Text.Json;
using System.Text.Json.Serialization;

namespace Embever.Actors.Platform;

/// <summary>The API's JSON: snake_case names, nulls written, enums as their wire strings.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;

        // Numbers are numbers: the web defaults would also read "12" (and the document would type every integer as integer-or-string).
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new UtcTimestampConverter());
        return options;
    }

    /// <summary>ISO 8601 UTC with microseconds and <c>Z</c>, as the document prints times; read to the microsecond the stores keep.</summary>
    private sealed class UtcTimestampConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Timestamps.Truncate(reader.GetDateTime().ToUniversalTime());

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Timestamps.Format(value));
    }
}
