using System.Xml;

namespace Embever.Actors.Api.Retention;

/// <summary>ISO 8601 durations on the wire (<c>P90D</c>, <c>PT1H</c>); a year counts 365 days, a month 30.</summary>
public static class RetentionDurations
{
    public static bool TryParse(string value, out TimeSpan period)
    {
        period = default;
        if (!value.StartsWith('P'))
        {
            return false;
        }

        try
        {
            period = XmlConvert.ToTimeSpan(value);
            return period > TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static string Format(TimeSpan period) => XmlConvert.ToString(period);

    public static string? Format(TimeSpan? period) => period is { } value ? Format(value) : null;
}
