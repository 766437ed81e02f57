namespace Embever.Actors.Storage.Index;

/// <summary>
/// One page of a list and the number of rows that match the filter in all: exact, or (a large
/// list's) reused or estimated (<see cref="IndexTable{TView}.ExactCountLimit"/>).
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, bool TotalExact = true);

/// <summary>Which page of a list: <c>?limit=</c> and <c>?offset=</c>.</summary>
public readonly record struct PageRequest(int Limit, long Offset);
