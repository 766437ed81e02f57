namespace Embever.Actors.Storage.Index;

/// <summary>
/// A list table kept by the grains that own its rows: filter columns, the creation time for
/// ordering (oldest first) and the resource as JSON in <c>body</c>. Lists never ask grains.
/// </summary>
public abstract class IndexTable<TView>(Database database, string table)
{
    protected Database Database { get; } = database;

    protected string Table { get; } = table;

    /// <summary>The column that names a row's organisation.</summary>
    protected virtual string OrganisationColumn => "organisation_id";

    /// <summary>One organisation's rows (applications, tokens, firmwares, deployments; the organisation itself).</summary>
    public Task<Page<TView>> ListAsync(Guid organisationId, PageRequest page, CancellationToken cancellationToken = default) =>
        ListAsync(new Filter().Equal(OrganisationColumn, organisationId.ToString()), page, cancellationToken);

    internal async Task<Page<TView>> ListAsync(Filter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var total = await CountCachedAsync(filter, cancellationToken);
        if (total == 0 || page.Offset >= total)
        {
            return new Page<TView>([], total);
        }

        // Deferred join: find the page's ids in the (covering) index, then read only those rows,
        // so a deep offset skips index entries, not whole rows.
        var items = await Database.QueryAsync(
            $"""
            SELECT {Prefixed(Columns)} FROM {Table} t
            JOIN (SELECT id FROM {Table}{filter.Sql} ORDER BY created_at, id LIMIT @limit OFFSET @offset) page ON page.id = t.id
            ORDER BY t.created_at, t.id
            """,
            p =>
            {
                filter.Bind(p);
                p.Add("limit", (long)page.Limit).Add("offset", page.Offset);
            },
            Read,
            cancellationToken);
        return new Page<TView>(items, total);
    }

    /// <summary>One row by id, or null.</summary>
    public async Task<TView?> GetAsync(object id, CancellationToken cancellationToken = default)
    {
        var rows = await Database.QueryAsync($"SELECT {Columns} FROM {Table} WHERE id = @id", p => p.Add("id", id), Read, cancellationToken);
        return rows.Count == 0 ? default : rows[0];
    }

    /// <summary>
    /// Counting a large list costs a scan of its index, so totals of lists over
    /// <see cref="ExactCountLimit"/> rows are reused: a total older than <see cref="CountReuse"/>
    /// is answered while a fresh count runs in the background (one at a time per list), and one
    /// older than <see cref="CountLimit"/> is counted again before answering. <c>X-Total-Count</c>
    /// of a huge list may lag by seconds; smaller lists are always exact.
    /// </summary>
    public const long ExactCountLimit = 10_000;

    public static readonly TimeSpan CountReuse = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan CountLimit = TimeSpan.FromSeconds(60);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedCount> Counts = new();

    private async Task<long> CountCachedAsync(Filter filter, CancellationToken cancellationToken)
    {
        var key = $"{Table}|{filter.Sql}|{filter.Describe()}";
        if (Counts.TryGetValue(key, out var cached) && cached.Age < CountLimit)
        {
            if (cached.Age > CountReuse && cached.TryStartRefresh())
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        Remember(key, await CountAsync(filter, CancellationToken.None));
                    }
                    finally
                    {
                        cached.RefreshDone();
                    }
                }, CancellationToken.None);
            }

            return cached.Count;
        }

        var total = await CountAsync(filter, cancellationToken);
        Remember(key, total);
        return total;
    }

    private static void Remember(string key, long total)
    {
        if (total > ExactCountLimit)
        {
            Counts[key] = new CachedCount(total);
        }
        else
        {
            Counts.TryRemove(key, out _);
        }
    }

    private sealed class CachedCount(long count)
    {
        private readonly long at = System.Diagnostics.Stopwatch.GetTimestamp();
        private int refreshing;

        public long Count => count;

        public TimeSpan Age => System.Diagnostics.Stopwatch.GetElapsedTime(at);

        public bool TryStartRefresh() => Interlocked.Exchange(ref refreshing, 1) == 0;

        public void RefreshDone() => Interlocked.Exchange(ref refreshing, 0);
    }

    private static string Prefixed(string columns) => string.Join(", ", columns.Split(',').Select(c => "t." + c.Trim()));

    internal async Task<long> CountAsync(Filter filter, CancellationToken cancellationToken = default) =>
        await Database.ScalarAsync<long>($"SELECT count(*) FROM {Table}{filter.Sql}", filter.Bind, cancellationToken);

    public Task DeleteAsync(object id, CancellationToken cancellationToken = default) =>
        Database.ExecuteAsync($"DELETE FROM {Table} WHERE id = @id", p => p.Add("id", id), cancellationToken);

    /// <summary>What a row is read from: the JSON body, unless a table keeps its view in columns.</summary>
    protected virtual string Columns => "body";

    protected virtual TView Read(System.Data.Common.DbDataReader reader) => Deserialize(reader.GetString(0));

    protected static string Serialize(TView view) => RowBody.Serialize(view);

    protected static TView Deserialize(string body) => RowBody.Deserialize<TView>(body);
}
