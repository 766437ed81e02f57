using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// Readiness: this silo is an active member of its cluster. A silo still joining, shutting down
/// or declared dead by the others must not be sent work by the balancer.
/// </summary>
public sealed class MembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(silo.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        var description = $"This silo is {status.ToString().ToLowerInvariant()}; {active} active silo(s) in the cluster (membership version {snapshot.Version.Value}).";
        return Task.FromResult(status == SiloStatus.Active ? HealthCheckResult.Healthy(description) : HealthCheckResult.Unhealthy(description));
    }
}
