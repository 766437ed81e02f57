using Embever.Actors.Storage;

namespace Embever.Actors.Api.Health;

/// <summary><c>/health</c>: the process answers. <c>/ready</c>: and its database does too.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health").AllowAnonymous();
        routes.MapGet("/ready", Ready).WithTags("Health").AllowAnonymous();
        return routes;
    }

    private static async Task<IResult> Ready(StoreProbe store, CancellationToken cancellationToken) =>
        await store.ProblemAsync(TimeSpan.FromSeconds(5), cancellationToken) is { } problem
            ? TypedResults.Problem($"The {store.Kind} store does not answer: {problem}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready")
            : TypedResults.Ok(new { status = "ready", storage = store.Kind.ToString() });
}
