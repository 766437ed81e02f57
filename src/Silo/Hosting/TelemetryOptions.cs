namespace Embever.Actors.Silo.Hosting;

/// <summary>The <c>Embever:Telemetry</c> section: where metrics and traces go.</summary>
public sealed class TelemetryOptions
{
    /// <summary>Serve <c>/metrics</c> for Prometheus (operator credentials only).</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Orleans' own meters (messaging, grain calls, activations, membership).</summary>
    public bool OrleansMetrics { get; set; } = true;

    /// <summary>ASP.NET Core's and HttpClient's meters (request durations by route and status).</summary>
    public bool HttpMetrics { get; set; } = true;

    /// <summary>An OTLP collector (<c>http://collector:4317</c>) to send metrics and traces to; none when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Record traces; by default only when they go somewhere (<see cref="OtlpEndpoint"/>): spans cost every request.</summary>
    public bool? Traces { get; set; }

    public bool Tracing => Traces ?? OtlpEndpoint is { Length: > 0 };

    /// <summary>The share of traces kept (parent-based: a traced caller's trace is always kept). A wake storm makes many.</summary>
    public double TraceSampleRatio { get; set; } = 0.01;

    /// <summary>The Orleans dashboard at <c>/dashboard</c> (operator credentials only). It times every grain call.</summary>
    public bool Dashboard { get; set; } = true;
}
