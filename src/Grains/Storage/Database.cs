using System.Data.Common;
using Embever.Actors.Storage.Commit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Embever.Actors.Storage;

/// <summary>
/// The platform's relational store: the Orleans providers' tables and our index tables live
/// in the same database. SQL written here is kept to the dialect SQLite and PostgreSQL share.
/// </summary>
public sealed class Database
{
    public const string SqliteInvariant = "System.Data.SQLite";
    public const string PostgreSqlInvariant = "Npgsql";

    private readonly DbDataSource dataSource;

    public Database(StoreKind kind, string connectionString, CommitOptions? commit = null)
    {
        Kind = kind;
        ConnectionString = connectionString;
        dataSource = kind == StoreKind.Sqlite ? new SqliteDataSource(connectionString) : NpgsqlDataSource.Create(connectionString);
        GroupCommit = new GroupCommit(this, commit ?? new CommitOptions());
        checkpointer = kind == StoreKind.Sqlite ? new WalCheckpointer(this) : null;
    }

    private readonly WalCheckpointer? checkpointer;

    /// <summary>Where every change of durable state is committed: one per silo.</summary>
    public GroupCommit GroupCommit { get; }

    public StoreKind Kind { get; }

    public string ConnectionString { get; }

    /// <summary>The ADO.NET invariant name the Orleans providers are configured with.</summary>
    public string Invariant => Kind == StoreKind.Sqlite ? SqliteInvariant : PostgreSqlInvariant;

    /// <summary>Where every connection comes from, ours and the Orleans providers' alike.</summary>
    public DbDataSource DataSource => dataSource;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        checkpointer?.Start();
        return await dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>Commits a change set in one transaction (merged with others waiting); returns once it is committed.</summary>
    public Task CommitAsync(ChangeSet changes) => GroupCommit.CommitAsync(changes);

    /// <summary>
    /// Deletes a row unless something still refers to it (<paramref name="referencesSql"/> counts
    /// the references, with <c>@id</c>), as one decision: the row is locked first, so a change set
    /// that guards it (<see cref="ChangeSet.Guards"/>) either committed before (and is counted) or
    /// waits and then finds the row gone. Returns the references found (0: deleted).
    /// </summary>
    public async Task<long> DeleteUnlessReferencedAsync(string table, object id, string referencesSql)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (Kind == StoreKind.PostgreSql)
        {
            // SQLite's transaction holds the database's one write lock already.
            await using var lockRow = Prepare(connection, $"SELECT id FROM {table} WHERE id = @id FOR UPDATE", p => p.Add("id", id), transaction);
            await lockRow.ExecuteNonQueryAsync();
        }

        await using var count = Prepare(connection, referencesSql, p => p.Add("id", id), transaction);
        var references = Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        if (references == 0)
        {
            await using var delete = Prepare(connection, $"DELETE FROM {table} WHERE id = @id", p => p.Add("id", id), transaction);
            await delete.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return references;
    }

    public async Task<int> ExecuteAsync(string sql, Action<SqlParameters>? bind = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Prepare(connection, sql, bind);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T?> ScalarAsync<T>(string sql, Action<SqlParameters>? bind = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Prepare(connection, sql, bind);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Action<SqlParameters>? bind, Func<DbDataReader, T> map, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Prepare(connection, sql, bind);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static DbCommand Prepare(DbConnection connection, string sql, Action<SqlParameters>? bind, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        bind?.Invoke(new SqlParameters(command));
        return command;
    }

    /// <summary>A unique or primary key constraint refused the row.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 1555 or 2067,
        _ => false,
    };
}
