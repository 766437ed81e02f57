using System.Data.Common;
using System.Text;

namespace Embever.Actors.Storage;

/// <summary>
/// Several statements sent as one command in one transaction: the writes of a device exchange
/// (action rows, event rows, the device row) cost one round trip, and land together or not at all.
/// </summary>
public sealed class SqlBatch
{
    private readonly StringBuilder sql = new();
    private readonly List<(string Name, object? Value)> parameters = [];

    public bool IsEmpty => sql.Length == 0;

    /// <summary>Adds a statement; <c>{0}</c>, <c>{1}</c>, … in it become the parameters, in order.</summary>
    public SqlBatch Add(string statement, params object?[] values)
    {
        var names = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var name = $"p{parameters.Count}";
            parameters.Add((name, values[i]));
            names[i] = "@" + name;
        }

        sql.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, names)).Append(";\n");
        return this;
    }

    /// <summary>Writes the batch in a transaction (on SQLite, together with other batches: <see cref="GroupCommit"/>).</summary>
    public Task ExecuteAsync(Database database) => IsEmpty ? Task.CompletedTask : database.WriteAsync(this);

    internal DbCommand CreateCommand(DbConnection connection, DbTransaction transaction) =>
        Database.Prepare(connection, sql.ToString(), p =>
        {
            foreach (var (name, value) in parameters)
            {
                p.Add(name, value);
            }
        }, transaction);
}
