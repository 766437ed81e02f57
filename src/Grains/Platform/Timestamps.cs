using System.Globalization;

namespace Embever.Actors.Platform;

/// <summary>
/// Times are kept as UTC instants with microsecond precision: the API prints them that way
/// and the index tables store them as microseconds since the Unix epoch, which sorts and
/// compares the same on SQLite and PostgreSQL.
/// </summary>
public static class Timestamps
{
    public static DateTime Truncate(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);

    public static long ToMicroseconds(DateTime utc) =>
        (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTime FromMicroseconds(long micros) =>
        new(DateTime.UnixEpoch.Ticks + micros * 10, DateTimeKind.Utc);

    public static string Format(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static string? Format(DateTime? utc) => utc is { } value ? Format(value) : null;
}
