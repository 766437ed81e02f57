namespace Embever.Actors.Api.Http;

/// <summary>How many list pages the silo serves (section <c>Embever:Lists</c>).</summary>
public sealed class ListOptions
{
    /// <summary>The default list rate a core: the embedded store, and PostgreSQL (set by the silo).</summary>
    public const double PerCore = 100;
    public const double PerCoreOnPostgreSql = 25;

    /// <summary>
    /// List pages per second this silo serves, all callers together; beyond them 503 with
    /// <c>Retry-After</c>. A page is cheap to the store (milliseconds), but its HTTP, its JSON and
    /// its caller share the cores with the device gateway: 100 a core kept a wake storm's exchange
    /// p99 where it was beside a list flood on SQLite; PostgreSQL, whose pages cost more, gets 25
    /// (BENCHMARKS.md, "A million devices on both stores").
    /// </summary>
    public double PerSecond { get; set; } = PerCore * Environment.ProcessorCount;

    /// <summary>Pages served at once after a quiet spell, before the rate applies (default: a second's worth).</summary>
    public int? Burst { get; set; }
}
