namespace Embever.Actors.Storage.Index;

/// <summary>
/// One page of a list and the number of rows that match the filter in all: exact, or (a large
/// list's) reused or estimated (<see cref="IndexTable{TView}.ExactCountLimit"/>).
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, bool TotalExact = true)
{
    /// <summary>Where the next page starts, when more rows follow this one (lists with integer ids).</summary>
    public PageCursor? Next { get; init; }
}

/// <summary>
/// Which page of a list: <c>?limit=</c> and <c>?offset=</c>; for lists read incrementally also
/// <c>?order=-created_at</c> (<paramref name="NewestFirst"/>), <c>?since=</c> (microseconds: rows
/// created at or after) and <c>?after=</c> (a keyset cursor).
/// </summary>
public readonly record struct PageRequest(int Limit, long Offset, bool NewestFirst = false, long? Since = null, PageCursor? After = null);
