using System.Threading.Channels;

namespace Embever.Actors.Storage;

/// <summary>
/// Group commit for SQLite, which has one writer at a time: the batches that grains hand in
/// while a commit is under way are written together in the next transaction, so a wake storm
/// pays one commit for many exchanges instead of one each. Every caller still waits until its
/// rows are committed. If a combined transaction fails, its batches are retried one by one, so
/// one bad batch fails only its own caller.
/// </summary>
public sealed class GroupCommit
{
    private const int MaxBatchesPerCommit = 256;
    private readonly Channel<(SqlBatch Batch, TaskCompletionSource Done)> queue = Channel.CreateUnbounded<(SqlBatch, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Database database;

    public GroupCommit(Database database)
    {
        this.database = database;
        _ = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public Task WriteAsync(SqlBatch batch)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Writer.TryWrite((batch, done));
        return done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var pending = new List<(SqlBatch Batch, TaskCompletionSource Done)>(MaxBatchesPerCommit);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (pending.Count < MaxBatchesPerCommit && queue.Reader.TryRead(out var item))
            {
                pending.Add(item);
            }

            try
            {
                await database.ExecuteInOneTransactionAsync(pending.Select(p => p.Batch).ToList());
                pending.ForEach(p => p.Done.TrySetResult());
            }
            catch when (pending.Count > 1)
            {
                foreach (var (batch, done) in pending)
                {
                    try
                    {
                        await database.ExecuteInOneTransactionAsync([batch]);
                        done.TrySetResult();
                    }
                    catch (Exception exception)
                    {
                        done.TrySetException(exception);
                    }
                }
            }
            catch (Exception exception)
            {
                pending.ForEach(p => p.Done.TrySetException(exception));
            }

            pending.Clear();
        }
    }
}
