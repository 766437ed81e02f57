using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Embever.Actors.Platform;

/// <summary>
/// Runs bulk work (a device import) on one thread of its own that the operating system schedules
/// after everything else: on a machine whose cores a wake storm keeps busy, the storm's exchanges
/// go first and the bulk work takes what is left. Awaits inside the work resume on this thread
/// (an await keeps the current scheduler), so all of its CPU — hashing, sealing, binding — stays
/// low. On Linux the thread's nice value is raised (any process may lower its own priority);
/// elsewhere the thread priority is set to lowest.
/// </summary>
public sealed class LowPriorityScheduler : TaskScheduler
{
    /// <summary>Linux nice value of the thread: 19 is the lowest priority there is.</summary>
    private const int Nice = 19;

    private readonly BlockingCollection<Task> queue = [];

    public LowPriorityScheduler(string name)
    {
        var thread = new Thread(Work) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>The process's one scheduler for bulk work (started on first use).</summary>
    public static LowPriorityScheduler Shared { get; } = new("low-priority work");

    /// <summary>Whether the operating system accepted the lower priority (false: the work runs, at normal priority).</summary>
    public bool Lowered { get; private set; }

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Runs <paramref name="work"/> and everything it awaits on the low-priority thread.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    protected override void QueueTask(Task task) => queue.Add(task);

    // Inlining would run the work on the caller's (normal priority) thread.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => queue.ToArray();

    private void Work()
    {
        Lowered = Lower();
        foreach (var task in queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    private static bool Lower()
    {
        if (OperatingSystem.IsLinux())
        {
            // setpriority(PRIO_PROCESS, tid, n) acts on one thread on Linux: the nice value is per thread.
            return SetPriority(0, GetThreadId(), Nice) == 0;
        }

        Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        return true;
    }

    // DllImport, not LibraryImport: the signatures are blittable and need no generated (unsafe) stubs.
    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
