using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Embever.Actors.Storage.Lanes;

/// <summary>
/// A lane on SQLite: threads of its own, each with one connection it keeps open. Microsoft.Data.Sqlite
/// runs every call synchronously underneath its async methods, so work run on the thread pool
/// would block the threads that serve HTTP and the grains (and the pool, growing by about one a
/// second on 2 cores, would fall behind); here it blocks only the lane's threads, and the lane's
/// connections — with their page caches — are all the connections it ever has.
/// </summary>
public sealed class SqliteLane : StoreLane, IDisposable
{
    private readonly BlockingCollection<Work> queue;
    private readonly SqliteDataSource dataSource;
    private int waiting;
    private int started;

    private readonly bool writer;

    /// <summary>A lane of <paramref name="workers"/> threads; <paramref name="writer"/>: the group commit's, whose connection gets the writer's cache.</summary>
    public SqliteLane(string name, SqliteDataSource dataSource, int workers, int queue, TimeSpan wait, bool writer = false)
        : base(name, workers, queue, wait)
    {
        this.dataSource = dataSource;
        this.writer = writer;
        this.queue = Queue == int.MaxValue ? new BlockingCollection<Work>() : new BlockingCollection<Work>(Math.Max(1, Queue));
    }

    public override int Waiting => Volatile.Read(ref waiting);

    public override Task<T> RunAsync<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            // Threads start with the first work: a store that is never used holds no connection.
            for (var i = 0; i < Workers; i++)
            {
                new Thread(Serve) { IsBackground = true, Name = $"sqlite {Name} {i + 1}" }.Start();
            }
        }

        var item = new Work<T>(work, cancellationToken);
        Interlocked.Increment(ref waiting);
        if (queue.IsAddingCompleted || !queue.TryAdd(item))
        {
            Interlocked.Decrement(ref waiting);
            return Task.FromException<T>(Refuse());
        }

        return item.Task;
    }

    private void Serve()
    {
        SqliteConnection? connection = null;
        foreach (var item in queue.GetConsumingEnumerable())
        {
            Interlocked.Decrement(ref waiting);
            if (Wait != Timeout.InfiniteTimeSpan && item.Waited > Wait)
            {
                item.Fail(Refuse());
                continue;
            }

            try
            {
                connection ??= dataSource.OpenDedicated(writer);
            }
            catch (Exception exception)
            {
                item.Fail(exception);
                continue;
            }

            item.Run(connection);
            SqliteCacheStatistics.Collect(connection);
            if (connection.State != System.Data.ConnectionState.Open)
            {
                connection.Dispose();
                connection = null;
            }
        }

        connection?.Dispose();
    }

    public void Dispose() => queue.CompleteAdding();

    private abstract class Work
    {
        private readonly long queued = Stopwatch.GetTimestamp();

        public TimeSpan Waited => Stopwatch.GetElapsedTime(queued);

        public abstract void Run(DbConnection connection);

        public abstract void Fail(Exception exception);
    }

    private sealed class Work<T>(Func<DbConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) : Work
    {
        private readonly TaskCompletionSource<T> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => done.Task;

        public override void Run(DbConnection connection)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
                return;
            }

            try
            {
                // SQLite completes "async" calls synchronously: this runs to its end on this thread.
                done.TrySetResult(work(connection, cancellationToken).GetAwaiter().GetResult());
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
            }
        }

        public override void Fail(Exception exception) => done.TrySetException(exception);
    }
}
