using Embever.Actors.Storage;

namespace Embever.Actors.Api.Health;

/// <summary><c>/health</c>: the process answers. <c>/ready</c>: and its database does too.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok"))).WithTags("Health").AllowAnonymous()
            .WithName("health").WithSummary("Liveness: the process answers")
            .WithDescription("Answers as long as the process runs.");
        routes.MapGet("/ready", Ready).WithTags("Health").AllowAnonymous().Produces<ReadyStatus>().ProducesProblem(503)
            .WithName("ready").WithSummary("Readiness: the process and its store answer")
            .WithDescription("Answers 200 when the silo's store answers within 5 s, 503 otherwise.");
        return routes;
    }

    private static async Task<IResult> Ready(StoreProbe store, CancellationToken cancellationToken) =>
        await store.ProblemAsync(TimeSpan.FromSeconds(5), cancellationToken) is { } problem
            ? TypedResults.Problem($"The {store.Kind} store does not answer: {problem}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready")
            : TypedResults.Ok(new ReadyStatus("ready", store.Kind.ToString()));
}

/// <summary><c>/health</c>: the process answers.</summary>
public sealed record HealthStatus(string Status);

/// <summary><c>/ready</c>: the process and its store (<c>Sqlite</c> or <c>PostgreSql</c>) answer.</summary>
public sealed record ReadyStatus(string Status, string Storage);
