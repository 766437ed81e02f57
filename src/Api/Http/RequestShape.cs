using System.Collections;
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
/// <remarks>
/// The gateway reads every exchange this way, so the walk reads plain values straight from the
/// JSON and materialises a value only where a rule needs it; the body is deserialized once,
/// after the walk, when it reads.
/// </remarks>
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
            if (!Knows(info, member.Name))
            {
                errors.Add(FieldErrors.Member(path, member.Name), "This field is unknown or read-only.");
                readable = false;
            }
        }

        foreach (var property in info.Properties)
        {
            if (!json.TryGetProperty(property.Name, out var value))
            {
                if (property.IsRequired)
                {
                    errors.Add(FieldErrors.Member(path, property.Name), "This field is required.");
                    readable = false;
                }
            }
            else if (value.ValueKind == JsonValueKind.Null)
            {
                if (!property.IsSetNullable)
                {
                    errors.Add(FieldErrors.Member(path, property.Name), $"Must be {Expected(property.PropertyType)}, not null.");
                    readable = false;
                }
            }
            else
            {
                var name = FieldErrors.Member(path, property.Name);
                var rules = RequestRules.Of(property);
                if (Read(value, info.Options.GetTypeInfo(property.PropertyType), name, errors, services, rules.Length > 0, out var read))
                {
                    RequestRules.CheckMember(rules, read, name, errors, services);
                }
                else
                {
                    readable = false;
                }
            }
        }

        return readable;
    }

    private static bool Knows(JsonTypeInfo info, string name)
    {
        foreach (var property in info.Properties)
        {
            if (property.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads one value of a member, checking inside objects and arrays; false when it has not the
    /// member's type. <paramref name="read"/> is the value when <paramref name="needed"/> (for an
    /// array, only its length: the rules on arrays are about their length).
    /// </summary>
    private static bool Read(JsonElement value, JsonTypeInfo info, string path, FieldErrors errors, IServiceProvider services, bool needed, out object? read)
    {
        read = null;
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(JsonElement))
        {
            return true;
        }

        if (Plain(value, type, needed, out read) is { } plain)
        {
            if (!plain)
            {
                errors.Add(path, $"Must be {Expected(type)}.");
            }

            return plain;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (!Check(value, info, path, errors, services))
                {
                    return false;
                }

                if (needed || typeof(System.ComponentModel.DataAnnotations.IValidatableObject).IsAssignableFrom(type))
                {
                    read = value.Deserialize(info);
                    RequestRules.CheckObject(read!, path, errors, services);
                }

                return true;
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
                        readable &= Read(item, element, at, errors, services, needed: false, out _);
                    }
                }

                read = needed ? new Length(index) : null;
                return readable;
            default:
                try
                {
                    read = value.Deserialize(info);
                    return true;
                }
                catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException or OverflowException)
                {
                    errors.Add(path, $"Must be {Expected(type)}.");
                    return false;
                }
        }
    }

    /// <summary>Whether a value of a plain type reads as System.Text.Json reads it, without deserializing; null for other types.</summary>
    private static bool? Plain(JsonElement value, Type type, bool needed, out object? read)
    {
        read = null;
        if (type == typeof(string))
        {
            read = needed && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return value.ValueKind == JsonValueKind.String;
        }

        if (type == typeof(bool))
        {
            read = needed && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
            return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
        }

        if (type == typeof(int))
        {
            var number = 0;
            var ok = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out number);
            read = ok && needed ? number : null;
            return ok;
        }

        if (type == typeof(long))
        {
            var number = 0L;
            var ok = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number);
            read = ok && needed ? number : null;
            return ok;
        }

        if (type == typeof(Guid))
        {
            var id = Guid.Empty;
            var ok = value.ValueKind == JsonValueKind.String && value.TryGetGuid(out id);
            read = ok && needed ? id : null;
            return ok;
        }

        return null;
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
        var t when t.IsAssignableTo(typeof(IEnumerable)) => "an array",
        _ => "an object",
    };

    /// <summary>An array's length standing in for the array, for the rules on it (<c>MinLength</c>, <c>MaxLength</c> count a collection).</summary>
    private sealed class Length(int count) : ICollection
    {
        public int Count => count;

        public bool IsSynchronized => false;

        public object SyncRoot => this;

        public void CopyTo(Array array, int index) => throw new NotSupportedException();

        public IEnumerator GetEnumerator() => throw new NotSupportedException();
    }
}
