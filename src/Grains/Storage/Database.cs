using System.Data.Common;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Storage.Lanes;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Embever.Actors.Storage;

/// <summary>
/// The platform's relational store: the Orleans providers' tables and our index tables live
/// in the same database. SQL written here is kept to the dialect SQLite and PostgreSQL share.
/// </summary>
public sealed class Database : IDisposable
{
    public const string SqliteInvariant = "System.Data.SQLite";
    public const string PostgreSqlInvariant = "Npgsql";

    private readonly DbDataSource dataSource;
    private readonly WalCheckpointer? checkpointer;

    public Database(StoreKind kind, string connectionString, CommitOptions? commit = null, StoreOptions? store = null)
    {
        Kind = kind;
        ConnectionString = connectionString;
        Options = store ?? new StoreOptions();
        var forever = Timeout.InfiniteTimeSpan;
        if (kind == StoreKind.Sqlite)
        {
            var sqlite = new SqliteDataSource(connectionString, Options);
            dataSource = sqlite;
            checkpointer = new WalCheckpointer(sqlite, new SqliteConnectionStringBuilder(connectionString).DataSource + "-wal", Options);
            Reads = new SqliteLane("reads", sqlite, Options.ReadWorkersOn(kind), Options.ReadQueue, forever);
            Lists = new SqliteLane("lists", sqlite, Options.ListWorkersOn(kind), Options.ListQueue, Options.QueueWait);
            Scans = new SqliteLane("scans", sqlite, 1, Options.ListQueue, Options.QueueWait);
            Writes = new SqliteLane("writes", sqlite, 1, int.MaxValue, forever, writer: true);
        }
        else
        {
            dataSource = NpgsqlDataSource.Create(connectionString);
            Reads = new PostgreSqlLane("reads", dataSource, Options.ReadWorkersOn(kind), Options.ReadQueue, forever);
            Lists = new PostgreSqlLane("lists", dataSource, Options.ListWorkersOn(kind), Options.ListQueue, Options.QueueWait);
            Scans = new PostgreSqlLane("scans", dataSource, 2, Options.ListQueue, Options.QueueWait);
            Writes = new PostgreSqlLane("writes", dataSource, Math.Max(1, (commit ?? new CommitOptions()).PostgreSqlWriters), int.MaxValue, forever);
        }

        Imports = new StoreGate("imports", Options.ImportWorkers, Options.ImportQueue, Options.QueueWait);
        GroupCommit = new GroupCommit(this, commit ?? new CommitOptions());
        StoreGauges.Watch(this);
    }

    /// <summary>Where every change of durable state is committed: one per silo.</summary>
    public GroupCommit GroupCommit { get; }

    public StoreKind Kind { get; }

    public string ConnectionString { get; }

    public StoreOptions Options { get; }

    /// <summary>Reads for grains and devices: the device path, never refused for lists' sake.</summary>
    public StoreLane Reads { get; }

    /// <summary>Lists and their totals: few workers, a short queue, a short wait (then 503).</summary>
    public StoreLane Lists { get; }

    /// <summary>
    /// Walks of a large part of an index — totals of large lists, page anchors, a deep page before
    /// its list's anchors are there — apart from the lists, so that a page near the start never
    /// waits behind one (SQLite: one worker; PostgreSQL: two).
    /// </summary>
    public StoreLane Scans { get; }

    /// <summary>The group commit's transactions (SQLite: its one writer's thread and connection).</summary>
    public StoreLane Writes { get; }

    /// <summary>Bulk imports: one at a time by default, a short queue (then 503).</summary>
    public StoreGate Imports { get; }

    /// <summary>SQLite's checkpointer (null on PostgreSQL): the log's size and what it has not copied yet.</summary>
    public WalCheckpointer? Checkpointer => checkpointer;

    /// <summary>SQLite's connections (null on PostgreSQL): how many are open and their cache shares.</summary>
    public SqliteDataSource? Sqlite => dataSource as SqliteDataSource;

    /// <summary>The ADO.NET invariant name the Orleans providers are configured with.</summary>
    public string Invariant => Kind == StoreKind.Sqlite ? SqliteInvariant : PostgreSqlInvariant;

    /// <summary>Where the Orleans providers' connections come from (bounded on SQLite; see <see cref="SqliteDataSource"/>).</summary>
    public DbDataSource DataSource => dataSource;

    /// <summary>A connection of the shared pool, for the rare work outside the lanes (schema, guarded deletes).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        checkpointer?.Start();
        return Kind == StoreKind.PostgreSql
            ? await PostgreSqlLane.OpenAsync(dataSource, cancellationToken)
            : await dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>Stops the lanes' threads and the checkpointer (tests; a silo's database lives as long as the process).</summary>
    public void Dispose()
    {
        foreach (var lane in new[] { Reads, Lists, Scans, Writes }.OfType<IDisposable>())
        {
            lane.Dispose();
        }

        checkpointer?.Stop();
    }

    /// <summary>Commits a change set in one transaction (merged with others waiting); returns once it is committed.</summary>
    public Task CommitAsync(ChangeSet changes) => GroupCommit.CommitAsync(changes);

    /// <summary>
    /// Deletes a row unless something still refers to it (<paramref name="referencesSql"/> counts
    /// the references, with <c>@id</c>), as one decision: the row is locked first, so a change set
    /// that guards it (<see cref="ChangeSet.Guards"/>) either committed before (and is counted) or
    /// waits and then finds the row gone. Returns the references found (0: deleted).
    /// <paramref name="alsoWhenDeleted"/> is written in the same transaction when the row goes
    /// (the erasure of what it leaves), so a crash never leaves one without the other.
    /// </summary>
    public async Task<long> DeleteUnlessReferencedAsync(string table, object id, string referencesSql, SqlBatch? alsoWhenDeleted = null)
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
            if (await delete.ExecuteNonQueryAsync() > 0 && alsoWhenDeleted is not null)
            {
                await alsoWhenDeleted.ExecuteAsync(connection, transaction, CancellationToken.None);
            }
        }

        await transaction.CommitAsync();
        return references;
    }

    /// <summary>Statements that must not run in a transaction (PostgreSQL's VACUUM), one after the other on a pooled connection of their own.</summary>
    public async Task ExecuteOutsideTransactionAsync(params string[] statements)
    {
        await using var connection = await OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = Prepare(connection, sql, null);
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Runs a statement on the reads lane (the device path).</summary>
    public Task<int> ExecuteAsync(string sql, Action<SqlParameters>? bind = null, CancellationToken cancellationToken = default) =>
        Reads.ExecuteAsync(sql, bind, cancellationToken);

    public Task<T?> ScalarAsync<T>(string sql, Action<SqlParameters>? bind = null, CancellationToken cancellationToken = default) =>
        Reads.ScalarAsync<T>(sql, bind, cancellationToken);

    public Task<List<T>> QueryAsync<T>(string sql, Action<SqlParameters>? bind, Func<DbDataReader, T> map, CancellationToken cancellationToken = default) =>
        Reads.QueryAsync(sql, bind, map, cancellationToken);

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
