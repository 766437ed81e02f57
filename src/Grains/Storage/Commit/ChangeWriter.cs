using System.Data.Common;

namespace Embever.Actors.Storage.Commit;

/// <summary>
/// Writes change sets inside one transaction: first the guarded rows are locked, then table by
/// table in one fixed order (devices created,
/// devices changed, actions, updates, events, deliveries, delivery outcomes, devices deleted, then each change
/// set's own statements), the same for every kind of change and on both stores.
/// </summary>
public abstract class ChangeWriter
{
    public static ChangeWriter For(StoreKind kind) => kind == StoreKind.Sqlite ? new SqliteChangeWriter() : new PostgreSqlChangeWriter();

    public async Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChangeSet> changes, CancellationToken cancellationToken)
    {
        foreach (var guard in changes.SelectMany(c => c.Guards))
        {
            await LockAsync(connection, transaction, guard, cancellationToken);
        }

        var statements = Begin(connection, transaction);
        statements.Rows(ChangeTables.NewDevices, Gather(changes, c => c.NewDevices));
        statements.Rows(ChangeTables.ChangedDevices, Gather(changes, c => c.ChangedDevices));
        statements.Rows(ChangeTables.Actions, Gather(changes, c => c.Actions));
        statements.Rows(ChangeTables.Updates, Gather(changes, c => c.Updates));
        statements.Rows(ChangeTables.Events, Gather(changes, c => c.Events));
        statements.Rows(ChangeTables.Deliveries, Gather(changes, c => c.Deliveries));
        statements.Rows(ChangeTables.DeliveryOutcomes, Gather(changes, c => c.DeliveryOutcomes));
        statements.Rows(ChangeTables.DeletedDevices, Gather(changes, c => c.DeletedDevices));
        foreach (var change in changes)
        {
            statements.Batch(change.Statements);
        }

        await statements.RunAsync(cancellationToken);
    }

    protected abstract Statements Begin(DbConnection connection, DbTransaction transaction);

    /// <summary>Locks a guarded row (an update that changes nothing); fails the transaction when it is gone.</summary>
    private static async Task LockAsync(DbConnection connection, DbTransaction transaction, RowGuard guard, CancellationToken cancellationToken)
    {
        await using var command = Database.Prepare(connection, $"UPDATE {guard.Table} SET id = id WHERE id = @id", p => p.Add("id", guard.Id), transaction);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new MissingRowException(guard);
        }
    }

    private static IReadOnlyList<T> Gather<T>(IReadOnlyList<ChangeSet> changes, Func<ChangeSet, List<T>> rows)
    {
        if (changes.Count == 1)
        {
            return rows(changes[0]);
        }

        var all = new List<T>();
        foreach (var change in changes)
        {
            all.AddRange(rows(change));
        }

        return all;
    }

    /// <summary>The statements of one transaction, as a store runs them.</summary>
    protected abstract class Statements
    {
        public abstract void Rows<T>(Table<T> table, IReadOnlyList<T> rows);

        public abstract void Batch(SqlBatch batch);

        public abstract Task RunAsync(CancellationToken cancellationToken);
    }
}
