using System.Data.Common;

namespace Embever.Actors.Storage.Commit;

/// <summary>
/// PostgreSQL is a round trip away: every table's rows go in one statement over arrays
/// (<c>unnest</c>), and all statements of the transaction in one <see cref="DbBatch"/>.
/// </summary>
public sealed class PostgreSqlChangeWriter : ChangeWriter
{
    protected override Statements Begin(DbConnection connection, DbTransaction transaction) => new OneRoundTrip(connection, transaction);

    private sealed class OneRoundTrip : Statements
    {
        private readonly DbBatch batch;

        public OneRoundTrip(DbConnection connection, DbTransaction transaction)
        {
            batch = connection.CreateBatch();
            batch.Transaction = transaction;
        }

        public override void Rows<T>(Table<T> table, IReadOnlyList<T> rows)
        {
            rows = table.Distinct(rows);
            if (rows.Count == 0)
            {
                return;
            }

            var command = batch.CreateBatchCommand();
            command.CommandText = table.PostgreSqlSql;
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"p{i}";
                parameter.Value = table.Columns[i].Values(rows);
                command.Parameters.Add(parameter);
            }

            batch.BatchCommands.Add(command);
        }

        public override void Batch(SqlBatch statements) => statements.AppendTo(batch);

        public override async Task RunAsync(CancellationToken cancellationToken)
        {
            await using (batch)
            {
                if (batch.BatchCommands.Count > 0)
                {
                    await batch.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }
    }
}
