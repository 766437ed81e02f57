using System.Text.Json;

namespace Embever.Actors.Storage.Index;

/// <summary>
/// A list table kept by the grains that own its rows: filter columns, the creation time for
/// ordering (oldest first) and the resource as JSON in <c>body</c>. Lists never ask grains.
/// </summary>
public abstract class IndexTable<TView>(Database database, string table)
{
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.General);

    protected Database Database { get; } = database;

    protected string Table { get; } = table;

    public async Task<Page<TView>> ListAsync(Filter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var total = await Database.ScalarAsync<long>($"SELECT count(*) FROM {Table}{filter.Sql}", filter.Bind, cancellationToken);
        if (total == 0 || page.Offset >= total)
        {
            return new Page<TView>([], total);
        }

        var items = await Database.QueryAsync(
            $"SELECT {Columns} FROM {Table}{filter.Sql} ORDER BY created_at, id LIMIT @limit OFFSET @offset",
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

    public async Task<long> CountAsync(Filter filter, CancellationToken cancellationToken = default) =>
        await Database.ScalarAsync<long>($"SELECT count(*) FROM {Table}{filter.Sql}", filter.Bind, cancellationToken);

    public Task DeleteAsync(object id, CancellationToken cancellationToken = default) =>
        Database.ExecuteAsync($"DELETE FROM {Table} WHERE id = @id", p => p.Add("id", id), cancellationToken);

    /// <summary>What a row is read from: the JSON body, unless a table keeps its view in columns.</summary>
    protected virtual string Columns => "body";

    protected virtual TView Read(System.Data.Common.DbDataReader reader) => Deserialize(reader.GetString(0));

    protected static string Serialize(TView view) => JsonSerializer.Serialize(view, BodyJson);

    protected static TView Deserialize(string body) => JsonSerializer.Deserialize<TView>(body, BodyJson)!;
}
