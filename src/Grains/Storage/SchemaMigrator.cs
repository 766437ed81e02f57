using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Storage;

/// <summary>
/// Applies the embedded schema scripts for the configured database, in file-name order, at
/// every start. The scripts are idempotent; on PostgreSQL each runs in a transaction under an
/// advisory lock, so silos starting together against an empty database take turns.
/// </summary>
public sealed partial class SchemaMigrator(Database database, ILogger<SchemaMigrator> logger)
{
    private static readonly TimeSpan StartupPatience = TimeSpan.FromSeconds(60);

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                await ApplyScriptsAsync(cancellationToken);
                return;
            }
            catch (DbException exception) when (DateTime.UtcNow - started < StartupPatience && IsTransient(exception))
            {
                LogDatabaseNotReady(exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    private async Task ApplyScriptsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var (name, sql) in Scripts(database.Kind))
        {
            // Each script is one command text that brings its own transaction (and, on
            // PostgreSQL, an advisory lock), so it applies whole or not at all.
            await using var command = Database.Prepare(connection, sql, null);
            await command.ExecuteNonQueryAsync(cancellationToken);
            LogApplied(name);
        }
    }

    internal static IEnumerable<(string Name, string Sql)> Scripts(StoreKind kind)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"Schema/{kind}/";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (resource[prefix.Length..], reader.ReadToEnd());
        }
    }

    private static bool IsTransient(DbException exception) =>
        exception is Npgsql.NpgsqlException { IsTransient: true } || exception.InnerException is System.Net.Sockets.SocketException;

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema script {Script} applied")]
    private partial void LogApplied(string script);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable yet ({Reason}); retrying")]
    private partial void LogDatabaseNotReady(string reason);
}
