using System.Text.Json;

namespace Embever.Actors.Api.Http;

/// <summary>
/// Reads the fields of a request object and collects a message per bad field, so that one 400
/// answer names every problem. Fields that are not writable are refused, not ignored: a typo
/// in a field name must not silently do nothing.
/// </summary>
public sealed class JsonFields(JsonElement body)
{
    private readonly Dictionary<string, List<string>> errors = [];

    public JsonElement Body => body;

    public bool IsValid => errors.Count == 0;

    public IEnumerable<(string Field, IReadOnlyList<string> Messages)> Errors =>
        errors.Select(e => (e.Key, (IReadOnlyList<string>)e.Value));

    public bool Has(string name) => body.TryGetProperty(name, out _);

    public bool IsNull(string name) => body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Null;

    public void Error(string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>Refuses every field that is not in <paramref name="writable"/>.</summary>
    public JsonFields Allow(params string[] writable)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!writable.Contains(property.Name, StringComparer.Ordinal))
            {
                Error(property.Name, "This field is unknown or read-only.");
            }
        }

        return this;
    }

    public string? String(string name, bool required = false, int maxLength = 255, bool allowEmpty = false, bool allowNull = false)
    {
        if (!body.TryGetProperty(name, out var value) || (value.ValueKind == JsonValueKind.Null && allowNull))
        {
            if (required)
            {
                Error(name, "This field is required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(name, "Must be a string.");
            return null;
        }

        var text = value.GetString()!;
        if (!allowEmpty && text.Trim().Length == 0)
        {
            Error(name, "Must not be empty.");
            return null;
        }

        if (text.Length > maxLength)
        {
            Error(name, $"Must be at most {maxLength} characters.");
            return null;
        }

        return text;
    }

    public bool? Bool(string name, bool required = false)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            if (required)
            {
                Error(name, "This field is required.");
            }

            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(name, "Must be a boolean.");
            return null;
        }

        return value.GetBoolean();
    }

    public int? Int(string name, int min, int max)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            Error(name, "Must be an integer.");
            return null;
        }

        if (number < min || number > max)
        {
            Error(name, $"Must be between {min} and {max}.");
            return null;
        }

        return number;
    }

    /// <summary>A UUID given as a string; null when absent or JSON null.</summary>
    public Guid? Uuid(string name, bool required = false)
    {
        var text = String(name, required, maxLength: 64, allowNull: true);
        if (text is null)
        {
            return null;
        }

        if (!Guid.TryParse(text, out var id))
        {
            Error(name, "Must be a UUID.");
            return null;
        }

        return id;
    }

    /// <summary>
    /// How far ahead a time may be (about 100 years): "never" is no expiry at all, and a bound keeps
    /// every stored time far from the ends of the calendar (9999-12-31 overflows what reminders add to it).
    /// </summary>
    public static readonly TimeSpan LatestAhead = TimeSpan.FromDays(365 * 100);

    /// <summary>An ISO 8601 time from 1970 to <see cref="LatestAhead"/> from now, converted to UTC; null when absent or JSON null.</summary>
    public DateTime? Timestamp(string name)
    {
        var text = String(name, maxLength: 64, allowNull: true);
        if (text is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time))
        {
            Error(name, "Must be an ISO 8601 date and time, like 2026-01-31T12:00:00Z.");
            return null;
        }

        if (time.UtcDateTime < DateTime.UnixEpoch || time.UtcDateTime > DateTime.UtcNow + LatestAhead)
        {
            Error(name, $"Must be between 1970-01-01T00:00:00Z and {LatestAhead.Days / 365} years from now.");
            return null;
        }

        return Platform.Timestamps.Truncate(time.UtcDateTime);
    }

    public IResult Problem() =>
        Problems.Validation(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
