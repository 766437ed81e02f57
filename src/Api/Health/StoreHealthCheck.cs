using Embever.Actors.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Embever.Actors.Api.Health;

/// <summary>Readiness: the silo's store answers a trivial query within 5 s.</summary>
public sealed class StoreHealthCheck(StoreProbe store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.ProblemAsync(TimeSpan.FromSeconds(5), cancellationToken) is { } problem
            ? HealthCheckResult.Unhealthy($"The {store.Kind} store does not answer: {problem}")
            : HealthCheckResult.Healthy($"{store.Kind} answers.");
}
