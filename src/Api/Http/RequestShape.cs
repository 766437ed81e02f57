using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Embever.Actors.Api.Http;

/// <summary>
/// Walks a JSON body against its request type, from System.Text.Json's own metadata of the
/// type: no member it does not know (a typo must not silently do nothing), every
/// <c>required</c> member, no null where the type has none, every value of its member's type,
/// and each value that reads then meets its member's rules (<see cref="RequestRules"/>). It
/// goes on past every fault, so one answer names every bad field.
/// </summary>
public static class RequestShape
{
    /// <summary>Whether the body can be bound (rules may still have failed: see <paramref name="errors"/>).</summary>
    public static bool Check(JsonElement json, JsonTypeInfo info, string path, FieldErrors errors, IServiceProvider services)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path.Length == 0 ? "body" : path, "Must be a JSON object.");
            return false;
        }

        var readable = true;
        foreach (var member in json.EnumerateObject())
        {
            if (!info.Properties.Any(p => p.Name == member.Name))
            {
                errors.Add(FieldErrors.Member(path, member.Name), "This field is unknown or read-only.");
                readable = false;
            }
        }

        foreach (var property in info.Properties)
        {
            var name = FieldErrors.Member(path, property.Name);
            if (!json.TryGetProperty(property.Name, out var value))
            {
                if (property.IsRequired)
                {
                    errors.Add(name, "This field is required.");
                    readable = false;
                }
            }
            else if (value.ValueKind == JsonValueKind.Null)
            {
                if (!property.IsSetNullable)
                {
                    errors.Add(name, $"Must be {Expected(property.PropertyType)}, not null.");
                    readable = false;
                }
            }
            else if (Read(value, info.Options.GetTypeInfo(property.PropertyType), name, errors, services, out var read))
            {
                RequestRules.CheckMember(property, read, name, errors, services);
            }
            else
            {
                readable = false;
            }
        }

        return readable;
    }

    /// <summary>Reads one value of a member (checking inside objects and arrays); false when it has not the member's type.</summary>
    private static bool Read(JsonElement value, JsonTypeInfo info, string path, FieldErrors errors, IServiceProvider services, out object? read)
    {
        read = null;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (!Check(value, info, path, errors, services))
                {
                    return false;
                }

                break;
            case JsonTypeInfoKind.Enumerable when info.ElementType is { } elementType:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    errors.Add(path, $"Must be an array of {Expected(elementType)}.");
                    return false;
                }

                var element = info.Options.GetTypeInfo(elementType);
                var readable = true;
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var at = $"{path}[{index++}]";
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        errors.Add(at, $"Must be {Expected(elementType)}, not null.");
                        readable = false;
                    }
                    else
                    {
                        readable &= Read(item, element, at, errors, services, out _);
                    }
                }

                if (!readable)
                {
                    return false;
                }

                break;
        }

        try
        {
            read = value.Deserialize(info);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            errors.Add(path, $"Must be {Expected(info.Type)}.");
            return false;
        }

        if (info.Kind == JsonTypeInfoKind.Object && read is not null)
        {
            RequestRules.CheckObject(read, path, errors, services);
        }

        return true;
    }

    /// <summary>What a value of a type is, in the words of an error message.</summary>
    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "a string",
        var t when t == typeof(bool) => "a boolean",
        var t when t == typeof(int) || t == typeof(long) => "an integer",
        var t when t == typeof(double) || t == typeof(decimal) => "a number",
        var t when t == typeof(Guid) => "a UUID",
        var t when t == typeof(DateTime) || t == typeof(DateTimeOffset) => "an ISO 8601 date and time, like 2026-01-31T12:00:00Z",
        var t when t == typeof(JsonObject) => "a JSON object",
        var t when t.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "an array",
        _ => "an object",
    };
}
