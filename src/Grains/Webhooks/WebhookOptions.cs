namespace Embever.Actors.Webhooks;

/// <summary>The <c>Embever:Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    /// <summary>Deliver to this host (loopback, its own addresses): a receiver on the same laptop. On by default in the embedded default only.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Deliver to private, shared, link-local (cloud metadata!) and other special-purpose networks too (tests, a closed network). Off by default.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>One HTTP try; a receiver slower than this counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One attempt with its quick transient retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Quick retries of transient failures (5xx, 408, 429, network) within one attempt.</summary>
    public int TransientRetries { get; set; } = 2;

    /// <summary>First delay between attempts; doubles each time up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after it fired a webhook is still tried; then it is marked failed.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each silo looks for deliveries whose next attempt is due.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deliveries one organisation's dispatcher sends at once (its share of the silo).</summary>
    public int MaxConcurrentPerOrganisation { get; set; } = 64;

    /// <summary>
    /// Requests (and connections) in flight to one target — scheme, host and port — from this
    /// silo, whatever the organisation: a slow receiver holds at most this many.
    /// </summary>
    public int MaxInFlightPerTarget { get; set; } = 32;

    /// <summary>
    /// Of one organisation's <see cref="MaxConcurrentPerOrganisation"/>, what one target may hold:
    /// at most <see cref="MaxInFlightPerTarget"/> and at most half, so a receiver that hangs
    /// always leaves the other half to the organisation's other receivers.
    /// </summary>
    public int PerTargetShare => Math.Max(1, Math.Min(MaxInFlightPerTarget, MaxConcurrentPerOrganisation / 2));

    /// <summary>Deliveries in flight on this silo, all organisations together: what webhooks may take from the devices.</summary>
    public int MaxInFlightPerSilo { get; set; } = 256;

    /// <summary>Failed attempts in a row after which a target's circuit opens: its deliveries wait, untried, until it closes.</summary>
    public int CircuitFailures { get; set; } = 5;

    /// <summary>How long a circuit first stays open; each time it opens again in a row, twice as long, up to <see cref="CircuitMaxOpenFor"/>.</summary>
    public TimeSpan CircuitOpenFor { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CircuitMaxOpenFor { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the signing secrets of an organisation are kept without being told of a change.</summary>
    public TimeSpan SigningKeysLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Base of the <c>url</c> fields in webhook bodies (the API as clients reach it).</summary>
    public string PublicUrl { get; set; } = "http://localhost:5000";

    public RetrySchedule Schedule => new(RetryBaseDelay, RetryMaxDelay, Horizon);
}
