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

    /// <summary>
    /// A page and its total, the page read in one piece of work on the lists lane (one wait for a
    /// worker, one connection). <paramref name="kept"/>: the totals the table keeps itself
    /// (<c>device_counts</c>), exact at any size; without them the total is counted
    /// (<see cref="ExactCountLimit"/>).
    /// </summary>
    internal async Task<Page<TView>> ListAsync(Filter filter, PageRequest page, CancellationToken cancellationToken = default, KeptTotals? kept = null)
    {
        if (page.Since is { } since)
        {
            // A filter like any other: the total counts only what is listed.
            filter.Raw("created_at >= @page_since", ("page_since", since));
        }

        if (kept is not null)
        {
            return await KeptListAsync(filter, page, kept, cancellationToken);
        }

        var key = $"{Table}|{filter.Sql}|{filter.Describe()}";
        if (totals.Cached(key, CountLimit) is { } cached)
        {
            if (cached.Age > CountReuse)
            {
                totals.RefreshInBackground(key, () => CountAsync(filter, CancellationToken.None), CountReuse);
            }

            var cachedRows = await Database.Lists.RunAsync((connection, token) => PageAsync(connection, filter, page, null, token), cancellationToken);
            return new Page<TView>(cachedRows.Items, cached.Count, TotalExact: false) { Next = cachedRows.Next };
        }

        // Counted only up to the limit, with the page in the same piece of work.
        var (bounded, rows) = await Database.Lists.RunAsync(async (connection, token) =>
        {
            var bounded = await ScalarAsync(connection, $"SELECT count(*) FROM (SELECT 1 FROM {Table}{filter.Sql} LIMIT {ExactCountLimit + 1}) bounded", filter.Bind, token);
            return (bounded, bounded == 0 || (bounded <= ExactCountLimit && page.Offset >= bounded) ? Rows.None : await PageAsync(connection, filter, page, null, token));
        }, cancellationToken);
        if (bounded <= ExactCountLimit)
        {
            totals.Forget(key);
            return new Page<TView>(rows.Items, bounded) { Next = rows.Next };
        }

        if (Database.Kind == StoreKind.PostgreSql && await EstimateAsync(filter, cancellationToken) is > ExactCountLimit and var estimate)
        {
            totals.RefreshInBackground(key, () => CountAsync(filter, CancellationToken.None), CountReuse);
            return new Page<TView>(rows.Items, ListTotals.ThreeFigures(estimate), TotalExact: false) { Next = rows.Next };
        }

        return new Page<TView>(rows.Items, await totals.CountOnceAsync(key, () => CountAsync(filter, CancellationToken.None), CountReuse), TotalExact: false) { Next = rows.Next };
    }

    /// <summary>
    /// A page of a list whose total the table keeps: the total, the removal count and the page in
    /// one piece of work (one snapshot on PostgreSQL, one connection on both). A deep page starts
    /// from the nearest remembered row when the list's anchors are current, and asks for them to
    /// be built when they are not.
    /// </summary>
    private async Task<Page<TView>> KeptListAsync(Filter filter, PageRequest page, KeptTotals kept, CancellationToken cancellationToken)
    {
        var key = KeptKey(filter);
        var deep = page.Offset >= 2 * PageAnchors.Spacing;
        var (total, version, items) = await Database.Lists.RunAsync(async (connection, token) =>
        {
            var total = await ScalarAsync(connection, kept.TotalSql + filter.Sql, filter.Bind, token);
            var large = total >= 2 * PageAnchors.Spacing;
            var version = large ? await ScalarAsync(connection, kept.VersionSql, p => p.Add("kept_organisation", kept.Organisation), token) : 0;
            if (total == 0 || page.Offset >= total)
            {
                return (total, version, (Rows?)Rows.None);
            }

            var anchor = deep ? anchors.Find(key, version, page.Offset) : null;
            return deep && anchor is null
                ? (total, version, (Rows?)null)
                : (total, version, await PageAsync(connection, filter, page, anchor, token));
        }, cancellationToken);

        // Any page of a large list asks for its anchors, so that they are there when deep pages come.
        if (total >= 2 * PageAnchors.Spacing && anchors.Stale(key, version, total))
        {
            anchors.BuildInBackground(key, known => BuildAnchorsAsync(filter, kept, known));
        }

        if (items is null)
        {
            // A deep page before its list's anchors: wait a little for them (a million devices take
            // a tenth of a second), else walk the index, on the scans lane.
            await anchors.WaitForBuildAsync(key, AnchorWait, cancellationToken);
            var anchor = anchors.Find(key, version, page.Offset);
            items = anchor is not null
                ? await Database.Lists.RunAsync((connection, token) => PageAsync(connection, filter, page, anchor, token), cancellationToken)
                : await Database.Scans.RunAsync((connection, token) => PageAsync(connection, filter, page, null, token), cancellationToken);
        }

        return new Page<TView>(items.Items, total) { Next = items.Next };
    }

    /// <summary>
    /// Builds (or extends) a kept list's anchors in the background, before anyone asks for a deep
    /// page: after an import, so that the pages right after it are seeks.
    /// </summary>
    private protected void AnchorInBackground(Filter filter, KeptTotals kept) =>
        anchors.BuildInBackground(KeptKey(filter), known => BuildAnchorsAsync(filter, kept, known));

    /// <summary>Rows up to the kept list's last anchor (tests).</summary>
    private protected long AnchoredRows(Filter filter) => anchors.Rows(KeptKey(filter));

    private string KeptKey(Filter filter) => $"{Table}|{filter.Sql}|{filter.Describe()}";

    /// <summary>
    /// The list's anchors, on the scans lane: the removal count first, then from each anchor a
    /// seek and a skip of <see cref="PageAnchors.Spacing"/> entries to the next, inside the
    /// database (a million devices: about 250 short statements, a tenth of a second), rather
    /// than every row carried out of it. Anchors known at the same removal count are kept and
    /// extended from the last. Anchors among the rows of the newest creation time are dropped:
    /// more rows of that time may still come, in any id order.
    /// </summary>
    private Task<(long, long, PageAnchors.Anchor[])> BuildAnchorsAsync(Filter filter, KeptTotals kept, PageAnchors.Known? known) =>
        Database.Scans.RunAsync(async (connection, token) =>
        {
            var version = await ScalarAsync(connection, kept.VersionSql, p => p.Add("kept_organisation", kept.Organisation), token);
            var after = $"{(filter.Sql.Length == 0 ? " WHERE" : " AND")} (created_at, id) > (@after_at, @after_id)";
            var points = known is not null && known.Version == version ? known.Anchors.ToList() : [];
            var last = points.LastOrDefault();
            while (true)
            {
                var skip = last is null ? 0 : PageAnchors.Spacing - 1;
                await using var command = Database.Prepare(
                    connection,
                    $"SELECT created_at, id FROM {Table}{filter.Sql}{(last is null ? "" : after)} ORDER BY created_at, id LIMIT 1 OFFSET {skip}",
                    p =>
                    {
                        filter.Bind(p);
                        if (last is not null)
                        {
                            p.Add("after_at", last.CreatedAt).Add("after_id", last.Id);
                        }
                    });
                await using var reader = await command.ExecuteReaderAsync(token);
                if (!await reader.ReadAsync(token))
                {
                    break;
                }

                last = new PageAnchors.Anchor(last is null ? 0 : last.Offset + PageAnchors.Spacing, reader.GetInt64(0), reader.GetString(1));
                points.Add(last);
            }

            var newest = await ScalarAsync(connection, $"SELECT created_at FROM {Table}{filter.Sql} ORDER BY created_at DESC, id DESC LIMIT 1", filter.Bind, token);
            points.RemoveAll(a => a.CreatedAt >= newest);

            // Rows up to the last anchor are certain; the total decides when the anchors are stale.
            return (version, points.Count == 0 ? 0 : points[^1].Offset + 1, points.ToArray());
        });

    /// <summary>
    /// Deferred join: the page's ids are found in the (covering) index, then only those rows are
    /// read, so a deep offset skips index entries, not whole rows; from an anchor, it seeks to the
    /// anchor's order key first and skips only the rows after it; after a cursor, it seeks past
    /// the cursor's key. One row more than the page is read: whether another page follows.
    /// </summary>
    private async Task<Rows> PageAsync(System.Data.Common.DbConnection connection, Filter filter, PageRequest page, PageAnchors.Anchor? anchor = null, CancellationToken cancellationToken = default)
    {
        var seeks = new List<string>();
        if (anchor is not null)
        {
            seeks.Add("(created_at, id) >= (@anchor_at, @anchor_id)");
        }

        if (page.After is not null)
        {
            seeks.Add($"(created_at, id) {(page.NewestFirst ? "<" : ">")} (@after_at, @after_id)");
        }

        var where = filter.Sql + (seeks.Count == 0 ? "" : (filter.Sql.Length == 0 ? " WHERE " : " AND ") + string.Join(" AND ", seeks));
        var direction = page.NewestFirst ? " DESC" : "";
        await using var command = Database.Prepare(
            connection,
            $"""
            SELECT {Prefixed(Columns)}, t.created_at, t.id FROM {Table} t
            JOIN (SELECT id FROM {Table}{where} ORDER BY created_at{direction}, id{direction} LIMIT @limit OFFSET @offset) page ON page.id = t.id
            ORDER BY t.created_at{direction}, t.id{direction}
            """,
            p =>
            {
                filter.Bind(p);
                p.Add("limit", Math.Min((long)page.Limit + 1, int.MaxValue)).Add("offset", page.Offset - (anchor?.Offset ?? 0));
                if (anchor is not null)
                {
                    p.Add("anchor_at", anchor.CreatedAt).Add("anchor_id", anchor.Id);
                }

                if (page.After is { } after)
                {
                    p.Add("after_at", after.CreatedAt).Add("after_id", after.Id);
                }
            });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<TView>();
        PageCursor? last = null;
        var more = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == page.Limit)
            {
                // The row past the page: another page follows, after the page's last row.
                more = true;
                break;
            }

            items.Add(Read(reader));
            last = reader.GetValue(reader.FieldCount - 1) is long id ? new PageCursor(reader.GetInt64(reader.FieldCount - 2), id) : null;
        }

        return new Rows(items, more ? last : null);
    }

    /// <summary>A page's rows and, when more follow, where the next page starts.</summary>
    private sealed record Rows(List<TView> Items, PageCursor? Next)
    {
        public static Rows None => new([], null);
    }

    private static async Task<long> ScalarAsync(System.Data.Common.DbConnection connection, string sql, Action<SqlParameters> bind, CancellationToken cancellationToken)
    {
        await using var command = Database.Prepare(connection, sql, bind);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One row by id, or null.</summary>
    public async Task<TView?> GetAsync(object id, CancellationToken cancellationToken = default)
    {
        var rows = await Database.QueryAsync($"SELECT {Columns} FROM {Table} WHERE id = @id", p => p.Add("id", id), Read, cancellationToken);
        return rows.Count == 0 ? default : rows[0];
    }

    /// <summary>
    /// Counting a large list costs a scan of its index, so no page pays for one. Device lists sum
    /// the totals the store keeps (exact). Any other list is first counted only up to
    /// <see cref="ExactCountLimit"/> + 1 rows (exact below it, as <c>X-Total-Count</c> must be).
    /// A larger list's total is counted once — one count at a time
    /// per list however many ask (<see cref="ListTotals"/>) — then reused: one older than
    /// <see cref="CountReuse"/> is answered while a fresh count runs in the background, one older
    /// than <see cref="CountLimit"/> is counted again. On PostgreSQL a list with no total yet is
    /// answered with the planner's estimate while it is counted. Such totals are not exact.
    /// </summary>
    public const long ExactCountLimit = 10_000;

    public static readonly TimeSpan CountReuse = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan CountLimit = TimeSpan.FromSeconds(60);

    // One per table and silo (index tables are singletons): what one silo counted, it reuses.
    private readonly ListTotals totals = new(CountLimit);

    private readonly PageAnchors anchors = new();

    /// <summary>How long a deep page waits for its list's anchors being built before it walks the index.</summary>
    private static readonly TimeSpan AnchorWait = TimeSpan.FromMilliseconds(500);

    /// <summary>Lists this table remembers page positions of (tests).</summary>
    internal int AnchoredLists => anchors.Count;

    /// <summary>Anchor builds this table finished (tests).</summary>
    internal long AnchorBuilds => anchors.Builds;

    /// <summary>Full counts this table ran (tests: concurrent asks share one).</summary>
    internal long CountsRun => totals.CountsRun;

    /// <summary>PostgreSQL's estimate of the rows a filter matches (its planner's, from the table's statistics).</summary>
    private async Task<long> EstimateAsync(Filter filter, CancellationToken cancellationToken)
    {
        var plan = await Database.Lists.ScalarAsync<string>($"EXPLAIN (FORMAT JSON) SELECT 1 FROM {Table}{filter.Sql}", filter.Bind, cancellationToken);
        using var json = System.Text.Json.JsonDocument.Parse(plan ?? "[]");
        return json.RootElement.GetArrayLength() > 0 && json.RootElement[0].TryGetProperty("Plan", out var root) && root.TryGetProperty("Plan Rows", out var rows)
            ? (long)rows.GetDouble()
            : 0;
    }

    private static string Prefixed(string columns) => string.Join(", ", columns.Split(',').Select(c => "t." + c.Trim()));

    internal async Task<long> CountAsync(Filter filter, CancellationToken cancellationToken = default) =>
        await Database.Scans.ScalarAsync<long>($"SELECT count(*) FROM {Table}{filter.Sql}", filter.Bind, cancellationToken);

    public Task DeleteAsync(object id, CancellationToken cancellationToken = default) =>
        Database.ExecuteAsync($"DELETE FROM {Table} WHERE id = @id", p => p.Add("id", id), cancellationToken);

    /// <summary>What a row is read from: the JSON body, unless a table keeps its view in columns.</summary>
    protected virtual string Columns => "body";

    protected virtual TView Read(System.Data.Common.DbDataReader reader) => Deserialize(reader.GetString(0));

    protected static string Serialize(TView view) => RowBody.Serialize(view);

    protected static TView Deserialize(string body) => RowBody.Deserialize<TView>(body);
}
