namespace Embever.Actors.Storage.Index;

/// <summary>
/// How a table keeps the totals of its lists itself (devices: <c>device_counts</c>, kept by
/// triggers): <see cref="TotalSql"/> sums a filter's rows (the filter's <c>WHERE</c> is appended),
/// <see cref="VersionSql"/> says how often rows have left the organisation's lists (with
/// <c>@kept_organisation</c>) — while it stays, the lists only grew at their end.
/// </summary>
internal sealed record KeptTotals(string TotalSql, string VersionSql, string Organisation);
