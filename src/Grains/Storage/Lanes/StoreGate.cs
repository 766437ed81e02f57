using Embever.Actors.Telemetry;

namespace Embever.Actors.Storage.Lanes;

/// <summary>
/// Admission to work that runs asynchronously: at most <c>workers</c> at once, at most
/// <c>queue</c> waiting, none waiting longer than <c>wait</c>; past a bound, <see cref="StoreBusyException"/>.
/// </summary>
public sealed class StoreGate(string name, int workers, int queue, TimeSpan wait)
{
    private readonly SemaphoreSlim turns = new(Math.Max(1, workers));
    private int waiting;

    public string Name { get; } = name;

    public TimeSpan Wait { get; } = wait;

    public int Waiting => Volatile.Read(ref waiting);

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref waiting) > queue)
        {
            Interlocked.Decrement(ref waiting);
            throw Refuse();
        }

        bool entered;
        try
        {
            entered = await turns.WaitAsync(Wait, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }

        if (!entered)
        {
            throw Refuse();
        }

        try
        {
            return await work(cancellationToken);
        }
        finally
        {
            turns.Release();
        }
    }

    public StoreBusyException Refuse() => Refuse(Name, Wait);

    /// <summary>A refusal of a lane: counted, and "try again" in about a second for a short wait, five for a long one.</summary>

    public static StoreBusyException Refuse(string lane, TimeSpan wait)
    {
        PlatformMetrics.StoreRefused.Add(1, new KeyValuePair<string, object?>("lane", lane));
        return new StoreBusyException($"{lane} queue", wait > TimeSpan.Zero && wait <= TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5));
    }
}
