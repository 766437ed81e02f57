namespace Embever.Actors.Storage;

/// <summary>
/// Moves SQLite's write-ahead log into the database file from a connection of its own, a few
/// times a second. SQLite would otherwise checkpoint inside whichever commit crossed the log's
/// size limit — the group commit's single writer — and every exchange waiting on that commit
/// would wait for the copy and its fsync too. Every connection turns the automatic checkpoint
/// off (<see cref="SqliteDataSource"/>); a passive checkpoint never blocks a writer.
/// </summary>
public sealed class WalCheckpointer(Database database)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private int started;

    public void Start()
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            _ = Task.Run(LoopAsync);
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync())
        {
            try
            {
                await database.ExecuteAsync("PRAGMA wal_checkpoint(PASSIVE)");
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // Busy or closing: the next tick tries again.
            }
        }
    }
}
