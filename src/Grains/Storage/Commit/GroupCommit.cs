using System.Diagnostics;
using System.Threading.Channels;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Storage.Commit;

/// <summary>
/// The silo's one way to write: change sets that arrive while a commit is under way are merged
/// into the next transaction (up to <see cref="CommitOptions.MaxChangeSets"/>), so a wake storm
/// pays one commit for many exchanges. Every caller waits until its change set is committed.
/// When a merged transaction fails, its change sets are committed again one by one, so a bad
/// one fails only its own caller and nothing else.
/// </summary>
public sealed class GroupCommit
{
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>();
    private readonly Database database;
    private readonly ChangeWriter writer;
    private readonly CommitOptions options;
    private long commits;
    private long changeSets;
    private int started;

    public GroupCommit(Database database, CommitOptions options)
    {
        this.database = database;
        this.options = options;
        writer = ChangeWriter.For(database.Kind);
    }

    /// <summary>Transactions committed and change sets in them, since start (their ratio is the mean batch).</summary>
    public (long Commits, long ChangeSets) Totals => (Interlocked.Read(ref commits), Interlocked.Read(ref changeSets));

    public Task CommitAsync(ChangeSet changes)
    {
        if (changes.IsEmpty)
        {
            return Task.CompletedTask;
        }

        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            StartWriters();
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Writer.TryWrite(new Pending(changes, done, Activity.Current?.Context));
        return done.Task;
    }

    /// <summary>SQLite has one writer at a time; PostgreSQL gets a few, each with its own connection.</summary>
    private void StartWriters()
    {
        database.Checkpointer?.Start();
        var writers = database.Kind == StoreKind.Sqlite ? 1 : Math.Max(1, options.PostgreSqlWriters);
        for (var i = 0; i < writers; i++)
        {
            _ = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task WriteLoopAsync()
    {
        var max = Math.Max(1, options.MaxChangeSets);
        var batch = new List<Pending>(max);
        var changes = new List<ChangeSet>(max);
        while (await queue.Reader.WaitToReadAsync())
        {
            await TakeAsync(batch, max);
            if (batch.Count == 0)
            {
                continue;
            }

            changes.AddRange(batch.Select(p => p.Changes));
            try
            {
                await WriteAsync(changes, batch);
                batch.ForEach(p => p.Done.TrySetResult());
            }
            catch when (batch.Count > 1)
            {
                foreach (var pending in batch)
                {
                    try
                    {
                        await WriteAsync([pending.Changes], [pending]);
                        pending.Done.TrySetResult();
                    }
                    catch (Exception exception)
                    {
                        pending.Done.TrySetException(exception);
                    }
                }
            }
            catch (Exception exception)
            {
                batch.ForEach(p => p.Done.TrySetException(exception));
            }

            batch.Clear();
            changes.Clear();
        }
    }

    /// <summary>What is waiting, up to <paramref name="max"/>; with a delay set, waits that long for the batch to fill.</summary>
    private async Task TakeAsync(List<Pending> batch, int max)
    {
        while (batch.Count < max && queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }

        if (options.MaxDelay <= TimeSpan.Zero || batch.Count == 0)
        {
            return;
        }

        var until = DateTime.UtcNow + options.MaxDelay;
        while (batch.Count < max && DateTime.UtcNow is var now && now < until)
        {
            using var timeout = new CancellationTokenSource(until - now);
            try
            {
                await queue.Reader.WaitToReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            while (batch.Count < max && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
        }
    }

    private async Task WriteAsync(IReadOnlyList<ChangeSet> batch, IReadOnlyList<Pending> pending)
    {
        // One transaction serves many callers: its span links to each of their traces.
        var links = pending.Where(p => p.Trace is not null).Select(p => new ActivityLink(p.Trace!.Value));
        using var span = PlatformTracing.Source.StartActivity("store commit", ActivityKind.Internal, parentContext: default, links: links);
        span?.SetTag("embever.change_sets", batch.Count);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // On the writes lane: on SQLite its one thread and connection, so a commit never blocks a thread-pool thread.
            await database.Writes.RunAsync(async (connection, token) =>
            {
                await using var transaction = await connection.BeginTransactionAsync(token);
                await writer.WriteAsync(connection, transaction, batch, token);
                await transaction.CommitAsync(token);
                return true;
            });
        }
        catch
        {
            PlatformMetrics.Commits.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            span?.SetStatus(ActivityStatusCode.Error);
            throw;
        }

        PlatformMetrics.Commits.Add(1, new KeyValuePair<string, object?>("outcome", "committed"));
        PlatformMetrics.CommitBatchSize.Record(batch.Count);
        PlatformMetrics.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        Interlocked.Increment(ref commits);
        Interlocked.Add(ref changeSets, batch.Count);
    }

    private sealed record Pending(ChangeSet Changes, TaskCompletionSource Done, ActivityContext? Trace);
}
