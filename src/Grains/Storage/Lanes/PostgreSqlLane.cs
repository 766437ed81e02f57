using System.Data.Common;
using Npgsql;

namespace Embever.Actors.Storage.Lanes;

/// <summary>
/// A lane on PostgreSQL: Npgsql is asynchronous all the way, so the bound is only how many run at
/// once (each on a pooled connection) and how many wait. A pool that runs dry is refused like a
/// full queue (503), not answered with Npgsql's exception.
/// </summary>
public sealed class PostgreSqlLane(string name, DbDataSource dataSource, int workers, int queue, TimeSpan wait)
    : StoreLane(name, workers, queue, wait)
{
    private readonly StoreGate gate = new(name, workers, queue, wait);

    public override int Waiting => gate.Waiting;

    public override Task<T> RunAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default) =>
        gate.RunAsync(async token =>
        {
            await using var connection = await OpenAsync(dataSource, token);
            return await work(connection, token);
        }, cancellationToken);

    /// <summary>Opens a pooled connection; a pool that stays dry past its timeout is "busy", not an error.</summary>
    public static async Task<DbConnection> OpenAsync(DbDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException exception) when (IsPoolExhausted(exception))
        {
            throw StoreBusyException.ConnectionsExhausted();
        }
    }

    /// <summary>Npgsql's "The connection pool has been exhausted" (a timeout waiting for a pooled connection).</summary>
    public static bool IsPoolExhausted(Exception exception) =>
        exception is NpgsqlException { InnerException: TimeoutException } && exception.Message.Contains("pool", StringComparison.OrdinalIgnoreCase);
}
