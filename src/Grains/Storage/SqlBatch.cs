using System.Data.Common;
using Embever.Actors.Storage.Commit;

namespace Embever.Actors.Storage;

/// <summary>
/// Statements written together in one transaction, for the writes that are not rows of a
/// <see cref="ChangeSet"/> table (index rows of organisations, deployments, …). Each statement
/// is its own command with only its own parameters; PostgreSQL sends them in one round trip.
/// </summary>
public sealed class SqlBatch
{
    private readonly List<(string Sql, object?[] Values)> statements = [];

    public bool IsEmpty => statements.Count == 0;

    /// <summary>Adds a statement; <c>{0}</c>, <c>{1}</c>, … in it become the parameters, in order.</summary>
    public SqlBatch Add(string statement, params object?[] values)
    {
        var names = Enumerable.Range(0, values.Length).Select(i => (object)$"@p{i}").ToArray();
        statements.Add((string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, names), values));
        return this;
    }

    /// <summary>Deletes these rows of <paramref name="table"/> by id (a statement per 500 ids).</summary>
    public SqlBatch DeleteIds<TId>(string table, IEnumerable<TId> ids)
    {
        foreach (var chunk in ids.Chunk(500))
        {
            Add($"DELETE FROM {table} WHERE id IN ({string.Join(", ", chunk.Select((_, i) => $"{{{i}}}"))})", [.. chunk.Cast<object?>()]);
        }

        return this;
    }

    /// <summary>
    /// Commits the batch through the group commit: it lands whole, and only then does this return.
    /// A <paramref name="bulk"/> batch waits for the devices' changes (<see cref="ChangeSet.Bulk"/>).
    /// </summary>
    public Task ExecuteAsync(Database database, bool bulk = false) =>
        IsEmpty ? Task.CompletedTask : database.CommitAsync(new ChangeSet { Statements = this, Bulk = bulk });

    internal void AppendTo(DbBatch batch)
    {
        foreach (var (sql, values) in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"p{i}";
                parameter.Value = values[i] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            batch.BatchCommands.Add(command);
        }
    }

    internal async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            AppendTo(batch);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        foreach (var (sql, values) in statements)
        {
            await using var command = Database.Prepare(connection, sql, p =>
            {
                for (var i = 0; i < values.Length; i++)
                {
                    p.Add($"p{i}", values[i]);
                }
            }, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
