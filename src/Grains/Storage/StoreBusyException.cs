namespace Embever.Actors.Storage;

/// <summary>
/// The store cannot take more work of a kind now (its queue is full, its wait too long, its
/// connections all taken). Nothing was done; the caller says "try again" — HTTP 503 with
/// <c>Retry-After</c>, naming <see cref="Resource"/> — instead of waiting or failing with a 500.
/// </summary>
[GenerateSerializer]
[Alias("Embever.StoreBusy")]
public sealed class StoreBusyException : Exception
{
    public StoreBusyException(string resource, TimeSpan retryAfter)
        : base($"The store has no room for this work now ({resource} full); try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} s.")
    {
        Resource = resource;
        RetryAfter = retryAfter;
    }

    /// <summary>Every connection the pool may open is in use, and none came back in time.</summary>
    public static StoreBusyException ConnectionsExhausted()
    {
        Telemetry.PlatformMetrics.StoreRefused.Add(1, new KeyValuePair<string, object?>("lane", "connections"));
        return new StoreBusyException("database connections", TimeSpan.FromSeconds(2));
    }

    /// <summary>What ran out, in words ("list queue", "database connections").</summary>
    [Id(0)]
    public string Resource { get; }

    [Id(1)]
    public TimeSpan RetryAfter { get; }
}
