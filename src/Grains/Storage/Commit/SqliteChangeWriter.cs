using System.Data.Common;

namespace Embever.Actors.Storage.Commit;

/// <summary>
/// SQLite runs in this process: a statement per row costs no round trip, and one prepared
/// statement per table, rebound for each row, is the fastest way in.
/// </summary>
public sealed class SqliteChangeWriter : ChangeWriter
{
    protected override Statements Begin(DbConnection connection, DbTransaction transaction) => new RowByRow(connection, transaction);

    private sealed class RowByRow(DbConnection connection, DbTransaction transaction) : Statements
    {
        private readonly List<SqlBatch> batches = [];

        public override void Rows<T>(Table<T> table, IReadOnlyList<T> rows)
        {
            if (rows.Count == 0)
            {
                return;
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = table.SqliteSql;
            var parameters = new DbParameter[table.Columns.Count];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = command.CreateParameter();
                parameters[i].ParameterName = $"@p{i}";
                command.Parameters.Add(parameters[i]);
            }

            foreach (var row in rows)
            {
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = table.Columns[i].Value(row) ?? DBNull.Value;
                }

                command.ExecuteNonQuery();
            }
        }

        public override void Batch(SqlBatch batch)
        {
            if (!batch.IsEmpty)
            {
                batches.Add(batch);
            }
        }

        public override async Task RunAsync(CancellationToken cancellationToken)
        {
            foreach (var batch in batches)
            {
                await batch.ExecuteAsync(connection, transaction, cancellationToken);
            }
        }
    }
}
