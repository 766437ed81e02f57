using Embever.Actors.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Embever.Actors.Api.Health;

/// <summary>
/// <c>/health</c>: the process answers (liveness). <c>/ready</c>: and every readiness check
/// passes (the store, this silo's cluster membership): ASP.NET Core health checks tagged
/// <see cref="Ready"/>, answered as JSON with each check's state.
/// </summary>
public static class HealthApi
{
    public const string Ready = "ready";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new Liveness("ok"))).WithTags("Health").AllowAnonymous()
            .WithName("health").WithSummary("Liveness: the process answers")
            .WithDescription("Answers as long as the process runs.");
        routes.MapGet("/ready", ReadyAsync).WithTags("Health").AllowAnonymous()
            .WithName("ready").WithSummary("Readiness: the store answers and this silo is an active cluster member")
            .WithDescription("200 when every readiness check passes (the store within 5 s, this silo active in its cluster's membership), 503 otherwise; both list each check.");
        return routes;
    }

    private static async Task<Results<Ok<ReadyStatus>, JsonHttpResult<ReadyStatus>>> ReadyAsync(HealthCheckService checks, StoreProbe store, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(r => r.Tags.Contains(Ready), cancellationToken);
        var status = new ReadyStatus(
            report.Status == HealthStatus.Healthy ? "ready" : "not ready",
            store.Kind.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new ReadyCheck(e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description)));
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(status)
            : TypedResults.Json(status, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary><c>/health</c>: the process answers.</summary>
public sealed record Liveness(string Status);

/// <summary><c>/ready</c>: whether the silo takes work, its store (<c>Sqlite</c> or <c>PostgreSql</c>), and each readiness check.</summary>
public sealed record ReadyStatus(string Status, string Storage, Dictionary<string, ReadyCheck> Checks);

/// <summary>One readiness check: <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, and why.</summary>
public sealed record ReadyCheck(string Status, string? Description);
