using System.Globalization;

namespace Embever.Actors.Api.Http;

/// <summary>
/// Ids and flags given in a list's query string. One that cannot be one (not a number, not a
/// UUID, not true or false) is a 400 naming the parameter, not a filter quietly matching
/// nothing; an id that is well formed but names nothing is an empty list.
/// </summary>
public static class QueryIds
{
    /// <summary><paramref name="value"/> is null when not given; a <paramref name="text"/> that cannot be a <typeparamref name="T"/> adds an error for <paramref name="field"/>.</summary>
    public static void Parse<T>(string? text, string field, FieldErrors errors, out T? value)
        where T : struct, IParsable<T>
    {
        value = null;
        if (text is null)
        {
            return;
        }

        if (!T.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
        {
            errors.Add(field, typeof(T) == typeof(Guid) ? "Must be a UUID." : typeof(T) == typeof(bool) ? "Must be true or false." : "Must be an integer id.");
            return;
        }

        value = parsed;
    }
}
