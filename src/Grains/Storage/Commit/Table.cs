namespace Embever.Actors.Storage.Commit;

/// <summary>A column a change set writes: its name, its PostgreSQL type, and a row's value.</summary>
public sealed record Column<T>(string Name, string PgType, Func<T, object?> Value, Func<IReadOnlyList<T>, Array> Values);

/// <summary>How a change set writes rows of a table.</summary>
public enum TableWrite
{
    /// <summary>New rows; a taken key is a unique violation.</summary>
    Insert,

    /// <summary>New or changed rows: on a taken key (the first column) the update columns are written.</summary>
    Upsert,

    /// <summary>Rows removed by key (the only column).</summary>
    Delete,

    /// <summary>Existing rows changed by key (the first column): every other column is written; a missing row is no error.</summary>
    Update,
}

/// <summary>
/// The rows of one table that a change set writes, described once for both stores: SQLite runs
/// the statement once per row (one prepared statement), PostgreSQL once per table over arrays
/// (<c>unnest</c>), so a group commit of a thousand exchanges is a handful of statements.
/// </summary>
public sealed class Table<T>
{
    public Table(string name, TableWrite write, IReadOnlyList<Column<T>> columns, IReadOnlyList<string>? updated = null)
    {
        Write = write;
        Columns = columns;
        var names = string.Join(", ", columns.Select(c => c.Name));
        var key = columns[0].Name;
        var conflict = write == TableWrite.Upsert
            ? $" ON CONFLICT ({key}) DO UPDATE SET " + string.Join(", ", (updated ?? []).Select(c => $"{c} = excluded.{c}"))
            : "";
        var arrays = string.Join(", ", columns.Select((c, i) => $"@p{i}::{c.PgType}[]"));
        var set = columns.Skip(1).Select((c, i) => (c.Name, Parameter: $"@p{i + 1}")).ToList();
        SqliteSql = write switch
        {
            TableWrite.Delete => $"DELETE FROM {name} WHERE {key} = @p0",
            TableWrite.Update => $"UPDATE {name} SET {string.Join(", ", set.Select(c => $"{c.Name} = {c.Parameter}"))} WHERE {key} = @p0",
            _ => $"INSERT INTO {name} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))}){conflict}",
        };
        PostgreSqlSql = write switch
        {
            TableWrite.Delete => $"DELETE FROM {name} WHERE {key} = ANY(@p0::{columns[0].PgType}[])",
            TableWrite.Update =>
                $"UPDATE {name} AS t SET {string.Join(", ", set.Select(c => $"{c.Name} = u.{c.Name}"))} " +
                $"FROM unnest({arrays}) AS u({names}) WHERE t.{key} = u.{key}",
            _ => $"INSERT INTO {name} ({names}) SELECT * FROM unnest({arrays}){conflict}",
        };
    }

    public TableWrite Write { get; }

    public IReadOnlyList<Column<T>> Columns { get; }

    public string SqliteSql { get; }

    public string PostgreSqlSql { get; }

    /// <summary>
    /// The rows as one statement may take them: for an upsert or update, each key once with its
    /// last value (PostgreSQL refuses to upsert a row twice in one statement, and would update it
    /// from an arbitrary one of the duplicates).
    /// </summary>
    public IReadOnlyList<T> Distinct(IReadOnlyList<T> rows)
    {
        if (Write is not (TableWrite.Upsert or TableWrite.Update) || rows.Count < 2)
        {
            return rows;
        }

        var key = Columns[0].Value;
        var last = new Dictionary<object, int>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            last[key(rows[i])!] = i;
        }

        return last.Count == rows.Count ? rows : last.Values.Order().Select(i => rows[i]).ToList();
    }
}

/// <summary>Column constructors, one per type the tables use.</summary>
public static class Column
{
    public static Column<T> Text<T>(string name, Func<T, string?> value) =>
        new(name, "text", row => value(row), rows => rows.Select(value).ToArray());

    public static Column<T> NullableInt32<T>(string name, Func<T, int?> value) =>
        new(name, "integer", row => value(row), rows => rows.Select(value).ToArray());

    public static Column<T> Int64<T>(string name, Func<T, long> value) =>
        new(name, "bigint", row => value(row), rows => rows.Select(value).ToArray());

    public static Column<T> NullableInt64<T>(string name, Func<T, long?> value) =>
        new(name, "bigint", row => value(row), rows => rows.Select(value).ToArray());

    public static Column<T> Boolean<T>(string name, Func<T, bool> value) =>
        new(name, "boolean", row => value(row), rows => rows.Select(value).ToArray());

    public static Column<T> Bytes<T>(string name, Func<T, byte[]?> value) =>
        new(name, "bytea", row => value(row), rows => rows.Select(value).ToArray());
}
