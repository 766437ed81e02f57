using System.Data.Common;

namespace Embever.Actors.Storage.Lanes;

/// <summary>
/// One kind of database work (device reads, lists, scans, the group commit's writes) with
/// workers of its own, a bounded queue and a longest wait: work past either bound is refused
/// with <see cref="StoreBusyException"/> at once, so a flood of lists is answered 503 instead of
/// queueing until everything is late, and never takes the workers that serve devices.
/// </summary>
public abstract class StoreLane(string name, int workers, int queue, TimeSpan wait)
{
    /// <summary>The lane's name in metrics and refusals ("lists").</summary>
    public string Name { get; } = name;

    public int Workers { get; } = Math.Max(1, workers);

    /// <summary>How many may wait for a worker (int.MaxValue: no bound).</summary>
    public int Queue { get; } = Math.Max(0, queue);

    /// <summary>The longest a piece of work waits for a worker (infinite: no bound).</summary>
    public TimeSpan Wait { get; } = wait;

    /// <summary>Work waiting for a worker now.</summary>
    public abstract int Waiting { get; }

    /// <summary>Runs <paramref name="work"/> on one of the lane's connections; refuses it when the lane is full.</summary>
    public abstract Task<T> RunAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default);

    protected StoreBusyException Refuse() => StoreGate.Refuse(Name, Wait);

    public async Task<List<T>> QueryAsync<T>(string sql, Action<SqlParameters>? bind, Func<DbDataReader, T> map, CancellationToken cancellationToken = default) =>
        await RunAsync(async (connection, token) =>
        {
            await using var command = Database.Prepare(connection, sql, bind);
            await using var reader = await command.ExecuteReaderAsync(token);
            var rows = new List<T>();
            while (await reader.ReadAsync(token))
            {
                rows.Add(map(reader));
            }

            return rows;
        }, cancellationToken);

    public Task<T?> ScalarAsync<T>(string sql, Action<SqlParameters>? bind = null, CancellationToken cancellationToken = default) =>
        RunAsync(async (connection, token) =>
        {
            await using var command = Database.Prepare(connection, sql, bind);
            var value = await command.ExecuteScalarAsync(token);
            return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);

    public Task<int> ExecuteAsync(string sql, Action<SqlParameters>? bind = null, CancellationToken cancellationToken = default) =>
        RunAsync(async (connection, token) =>
        {
            await using var command = Database.Prepare(connection, sql, bind);
            return await command.ExecuteNonQueryAsync(token);
        }, cancellationToken);
}
