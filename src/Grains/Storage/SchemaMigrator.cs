using System.Data.Common;
using Embever.Actors.Platform;
using Embever.Actors.Storage.Migrations;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Storage;

/// <summary>
/// Brings the database up to date at start: the schema scripts shipped in the assembly for the
/// configured store and the data migrations, in the order of their ids, each applied once and
/// recorded in <c>schema_migrations</c> (id, checksum, time). The history is append-only: a
/// released script is never edited (a changed checksum stops the start), a change is a new
/// script. On PostgreSQL silos starting together take turns under an advisory lock.
/// </summary>
public sealed partial class SchemaMigrator(Database database, IEnumerable<IDataMigration> dataMigrations, ILogger<SchemaMigrator> logger)
{
    private const long PostgreSqlLock = 4201700000;
    private static readonly TimeSpan StartupPatience = TimeSpan.FromSeconds(60);

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (DbException exception) when (DateTime.UtcNow - started < StartupPatience && IsTransient(exception))
            {
                LogDatabaseNotReady(exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    /// <summary>Every step of the history for a store, in order.</summary>
    public IReadOnlyList<Migration> History() =>
        Scripts(database.Kind).Select(s => Migration.Script(s.Name, s.Sql))
            .Concat(dataMigrations.Select(Migration.Of))
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .ToList();

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var postgres = database.Kind == StoreKind.PostgreSql;
        if (postgres)
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({PostgreSqlLock})", cancellationToken);
        }

        try
        {
            await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)", cancellationToken);
            var applied = await AppliedAsync(connection, cancellationToken);
            var appliedNow = new List<string>();
            foreach (var migration in History())
            {
                if (applied.TryGetValue(migration.Id, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Schema migration {migration.Id} was changed after it was applied to this database (checksum {checksum} then, {migration.Checksum} now). " +
                            "A released migration is never edited: put the change in a new one.");
                    }

                    continue;
                }

                if (await ApplyAsync(connection, migration, cancellationToken))
                {
                    appliedNow.Add(migration.Id);
                }
            }

            // One line for all of them: a first start applies every migration.
            if (appliedNow.Count > 0)
            {
                LogApplied(appliedNow.Count, string.Join(", ", appliedNow));
            }
        }
        finally
        {
            if (postgres)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({PostgreSqlLock})", CancellationToken.None);
            }
        }
    }

    /// <summary>Applies one migration; false when another migrator (a second process on SQLite) got there first.</summary>
    private static async Task<bool> ApplyAsync(DbConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        if (migration.OwnsTransaction)
        {
            await ExecuteAsync(connection, null, migration.Sql!, cancellationToken);
            await RecordAsync(connection, null, migration, cancellationToken);
            return true;
        }

        // On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE): look again under it.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var applied = Database.Prepare(connection, "SELECT count(*) FROM schema_migrations WHERE id = @id", p => p.Add("id", migration.Id), transaction))
        {
            if (Convert.ToInt64(await applied.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                return false;
            }
        }

        if (migration.Sql is { } sql)
        {
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
        }
        else
        {
            await migration.Data!.ApplyAsync(connection, transaction, cancellationToken);
        }

        await RecordAsync(connection, transaction, migration, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction? transaction, Migration migration, CancellationToken cancellationToken)
    {
        await using var command = Database.Prepare(
            connection,
            "INSERT INTO schema_migrations (id, checksum, applied_at) VALUES (@id, @checksum, @at) ON CONFLICT (id) DO NOTHING",
            p => p.Add("id", migration.Id).Add("checksum", migration.Checksum).Add("at", Timestamps.ToMicroseconds(DateTime.UtcNow)),
            transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Dictionary<string, string>> AppliedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Database.Prepare(connection, "SELECT id, checksum FROM schema_migrations", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<string, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Database.Prepare(connection, sql, null, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static IEnumerable<(string Name, string Sql)> Scripts(StoreKind kind)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"Schema/{kind}/";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (Path.GetFileNameWithoutExtension(resource[prefix.Length..]), reader.ReadToEnd());
        }
    }

    private static bool IsTransient(DbException exception) =>
        exception is Npgsql.NpgsqlException { IsTransient: true } || exception.InnerException is System.Net.Sockets.SocketException;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} schema migration(s) applied: {Migrations}")]
    private partial void LogApplied(int count, string migrations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable yet ({Reason}); retrying")]
    private partial void LogDatabaseNotReady(string reason);
}
