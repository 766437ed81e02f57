using System.Diagnostics;
using System.Threading.Channels;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Storage.Commit;

/// <summary>
/// The silo's one way to write: change sets that arrive while a commit is under way are merged
/// into the next transaction (up to <see cref="CommitOptions.MaxChangeSets"/>), so a wake storm
/// pays one commit for many exchanges. Every caller waits until its change set is committed.
/// When a merged transaction fails, its change sets are committed again one by one, so a bad
/// one fails only its own caller and nothing else. <see cref="ChangeSet.Bulk"/> change sets are
/// never merged: each is committed alone when no other change waits (or once it has waited
/// <see cref="BulkPatience"/>), so a device's commit waits for at most one bulk transaction.
/// </summary>
public sealed class GroupCommit
{
    /// <summary>The longest a bulk change set waits for a moment without device changes before it goes anyway.</summary>
    public static readonly TimeSpan BulkPatience = TimeSpan.FromMilliseconds(250);

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
        queue.Writer.TryWrite(new Pending(changes, done, Activity.Current?.Context, Stopwatch.GetTimestamp()));
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
        var bulk = new Queue<Pending>();
        while (bulk.Count > 0 || await queue.Reader.WaitToReadAsync())
        {
            await TakeAsync(batch, bulk, max);

            // Bulk work goes when no device change waits, or once it has waited BulkPatience
            // (a storm that never pauses must not starve an import).
            if (bulk.TryPeek(out var oldest) && (batch.Count == 0 || Stopwatch.GetElapsedTime(oldest.Queued) >= BulkPatience))
            {
                await CommitBatchAsync([bulk.Dequeue()]);
            }

            if (batch.Count > 0)
            {
                await CommitBatchAsync(batch);
                batch.Clear();
            }
        }
    }

    /// <summary>One transaction for the batch; if it fails, each change set again on its own.</summary>
    private async Task CommitBatchAsync(List<Pending> batch)
    {
        try
        {
            await WriteAsync(batch.Select(p => p.Changes).ToList(), batch);
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
    }

    /// <summary>
    /// What is waiting, up to <paramref name="max"/>, bulk change sets set aside; with a delay set,
    /// waits that long for the batch to fill.
    /// </summary>
    private async Task TakeAsync(List<Pending> batch, Queue<Pending> bulk, int max)
    {
        TakeWaiting(batch, bulk, max);
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

            TakeWaiting(batch, bulk, max);
        }
    }

    private void TakeWaiting(List<Pending> batch, Queue<Pending> bulk, int max)
    {
        while (batch.Count < max && queue.Reader.TryRead(out var pending))
        {
            if (pending.Changes.Bulk)
            {
                bulk.Enqueue(pending);
            }
            else
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

    private sealed record Pending(ChangeSet Changes, TaskCompletionSource Done, ActivityContext? Trace, long Queued);
}
