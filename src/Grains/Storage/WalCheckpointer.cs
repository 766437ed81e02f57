using System.Diagnostics;
using Embever.Actors.Telemetry;
using Microsoft.Data.Sqlite;

namespace Embever.Actors.Storage;

/// <summary>
/// Moves SQLite's write-ahead log into the database file from a thread and connection of its
/// own, four times a second. SQLite would otherwise checkpoint inside whichever commit crossed
/// the log's size limit — the group commit's single writer — and every exchange waiting on that
/// commit would wait for the copy and its fsync too. Every connection turns the automatic
/// checkpoint off (<see cref="SqliteDataSource"/>).
/// <para>
/// A passive checkpoint never blocks anyone, but it cannot copy frames that a reader's snapshot
/// still needs, and the log only starts again from its beginning when every frame was copied
/// and no reader is inside it: under steady reads and writes it would grow for ever. So the
/// checkpoint escalates (<see cref="CheckpointOnce"/>): once the log file passes
/// <see cref="StoreOptions.WalRestartMb"/>, a <c>RESTART</c> checkpoint (at most one a second)
/// waits briefly for readers, and the next commit writes from the file's beginning again.
/// Restarting, not truncating, while writes go on: a log file that is cut and grows again
/// allocates its blocks anew, and on ext4 every allocation waits for the journal that the
/// checkpoint's fsync is committing — the one writer, and every exchange behind it, stalled for
/// tens of milliseconds (fleet-1m: a storm's exchange p99 during an import 85 ms truncating,
/// 42 ms restarting). <c>journal_size_limit</c> (<see cref="StoreOptions.WalKeepMb"/>) cuts a
/// restarted file back to that size; once no commit came for a tick, a <c>TRUNCATE</c> checkpoint
/// gives the whole file back.
/// </para>
/// </summary>
public sealed class WalCheckpointer(SqliteDataSource dataSource, string walPath, StoreOptions options)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a restarting checkpoint may hold writers back waiting for readers: with nothing left to copy, and as the backstop.</summary>
    private const int QuickRestartBusyMilliseconds = 20;
    private const int RestartBusyMilliseconds = 100;

    /// <summary>The shortest time between two restarting checkpoints, so that a log pinned by readers does not hold writers back every tick.</summary>
    private static readonly TimeSpan RestartInterval = TimeSpan.FromSeconds(1);

    private int started;
    private volatile bool stopped;
    private long lastRestart;

    /// <summary>Frames in the log at the last checkpoint: unchanged from one tick to the next, nobody committed.</summary>
    private long logFrames = -1;

    /// <summary>The log file's size when last looked at.</summary>
    public long WalBytes { get; private set; }

    /// <summary>Frames in the log not yet copied into the database, at the last checkpoint.</summary>
    public long FramesPending { get; private set; }

    public void Start()
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            new Thread(Run) { IsBackground = true, Name = "sqlite checkpoint" }.Start();
        }
    }

    public void Stop() => stopped = true;

    private void Run()
    {
        SqliteConnection? connection = null;
        while (!stopped)
        {
            Thread.Sleep(Interval);
            try
            {
                connection ??= dataSource.OpenDedicated();
                CheckpointOnce(connection);
            }
            catch (SqliteException)
            {
                // Busy or closing: the next tick tries again, on a fresh connection.
                connection?.Dispose();
                connection = null;
            }
        }

        connection?.Dispose();
    }

    /// <summary>
    /// One tick: a passive checkpoint, which copies what it can without blocking anyone. A
    /// restarting one blocks writers while it runs, so it comes only when it has little to do: the
    /// log file is past its size and the passive one left nothing to copy (it then only waits, a few
    /// milliseconds at most, for readers to leave); or, as a backstop, the file is four times past
    /// its size because readers kept the passive ones from finishing. A log that saw no commit since
    /// the last tick, all of it copied, is truncated: nobody is writing to wait for it.
    /// </summary>
    public void CheckpointOnce(SqliteConnection connection)
    {
        WalBytes = FileSize();
        var frames = logFrames;
        var pending = Checkpoint(connection, "PASSIVE", busyMilliseconds: 0);
        var limit = options.WalRestartMb * 1024L * 1024;
        var due = Stopwatch.GetElapsedTime(lastRestart) >= RestartInterval;
        if (due && WalBytes > limit && (pending == 0 || WalBytes > 4 * limit))
        {
            lastRestart = Stopwatch.GetTimestamp();
            Checkpoint(connection, "RESTART", pending == 0 ? QuickRestartBusyMilliseconds : RestartBusyMilliseconds);
        }
        else if (pending == 0 && logFrames == frames && WalBytes > 0)
        {
            Checkpoint(connection, "TRUNCATE", QuickRestartBusyMilliseconds);
            WalBytes = FileSize();
        }
    }

    /// <summary>Runs one checkpoint; returns the frames it left in the log (or -1 when it could not run).</summary>
    private long Checkpoint(SqliteConnection connection, string mode, int busyMilliseconds)
    {
        using (var timeout = connection.CreateCommand())
        {
            timeout.CommandText = $"PRAGMA busy_timeout = {busyMilliseconds}";
            timeout.ExecuteNonQuery();
        }

        var started = Stopwatch.GetTimestamp();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        using var reader = command.ExecuteReader();
        reader.Read();
        var (busy, log, done) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        var outcome = busy != 0 ? "busy" : "done";
        PlatformMetrics.Checkpoints.Add(1, new("mode", mode.ToLowerInvariant()), new("outcome", outcome));
        if (mode != "PASSIVE")
        {
            PlatformMetrics.CheckpointDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("mode", mode.ToLowerInvariant()));
        }

        logFrames = log;
        FramesPending = log < 0 ? 0 : log - done;
        return FramesPending;
    }

    private long FileSize()
    {
        var file = new FileInfo(walPath);
        return file.Exists ? file.Length : 0;
    }
}
