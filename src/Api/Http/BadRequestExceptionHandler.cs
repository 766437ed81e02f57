using Microsoft.AspNetCore.Diagnostics;

namespace Embever.Actors.Api.Http;

/// <summary>
/// A request Kestrel could not read — a malformed chunked body, a body cut short, one over
/// Kestrel's own limits — is the client's fault: it answers the 4xx Kestrel chose (400 for a
/// chunk size Kestrel cannot even parse, which it reports as an <see cref="IOException"/>) as
/// problem+json, and (handled, so not logged as an error) costs no stack trace in the log.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            IOException when exception.TargetSite?.DeclaringType?.Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        if (status == 0 || context.Response.HasStarted)
        {
            return false;
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = "The request could not be read.", Detail = exception.Message },
        });
    }
}
