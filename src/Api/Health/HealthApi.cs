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

    private static async Task<IResult> Ready(Database database, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await database.ScalarAsync<long>("SELECT 1", null, timeout.Token);
            return TypedResults.Ok(new { status = "ready", storage = database.Kind.ToString() });
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or OperationCanceledException)
        {
            return TypedResults.Problem($"The {database.Kind} store does not answer: {exception.Message}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
        }
    }
}
