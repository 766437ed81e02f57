namespace Embever.Actors.Api.Http;

/// <summary>How many list pages the silo serves (section <c>Embever:Lists</c>).</summary>
public sealed class ListOptions
{
    /// <summary>
    /// List pages per second this silo serves, all callers together; beyond them 503 with
    /// <c>Retry-After</c>. A page is cheap to the store (milliseconds), but its HTTP, its JSON and
    /// its caller share the cores with the device gateway: at 100 a core a wake storm's exchange p99
    /// stayed where it was beside a list flood on the embedded store (BENCHMARKS.md, "A million devices").
    /// </summary>
    public double PerSecond { get; set; } = 100.0 * Environment.ProcessorCount;

    /// <summary>Pages served at once after a quiet spell, before the rate applies (default: a second's worth).</summary>
    public int? Burst { get; set; }
}
