using System.Globalization;

namespace Embever.Actors.Api.Http;

/// <summary>
/// Ids and flags given in a list's query string. One that cannot be one (not a number, not a
/// UUID) makes the filter match nothing: the list is empty, not an error, as for an id that
/// does not exist.
/// </summary>
public static class QueryIds
{
    /// <summary>False when <paramref name="text"/> is given but cannot be a <typeparamref name="T"/>; <paramref name="value"/> is null when not given.</summary>
    public static bool TryParse<T>(string? text, out T? value)
        where T : struct, IParsable<T>
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (!T.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }
}
