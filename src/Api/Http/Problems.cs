
namespace Embever.Actors.Api.Http;

/// <summary>The API's errors, all <c>application/problem+json</c> (RFC 9457).</summary>
public static class Problems
{
    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "The request has invalid fields; see errors.", title: "Invalid request");

    public static ValidationProblem Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static NotFoundProblem NotFound() =>
        new(TypedResults.Problem("No such object, or it is not visible to this token.", statusCode: StatusCodes.Status404NotFound, title: "Not found"));

    public static ForbiddenProblem Forbidden(string detail) =>
        new(TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"));

    public static UnauthorizedProblem Unauthorized(string detail) =>
        new(TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized"));

    public static ConflictProblem Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        new(TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions));

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem($"The request body is larger than {limit} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");

    /// <summary>413 for a payload over its organisation's limit, naming the limit and the setting.</summary>
    public static ProblemHttpResult PayloadTooLarge(string what, long size, long limit) =>
        TypedResults.Problem(
            $"The {what} is {size} bytes of JSON; the limit is {limit} bytes (Embever:Limits:PayloadBytes).",
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Payload too large",
            extensions: new Dictionary<string, object?> { ["limit"] = limit });

    public static ProblemHttpResult RangeNotSatisfiable(long size) =>
        TypedResults.Problem($"The range is outside the file's {size} bytes.", statusCode: StatusCodes.Status416RangeNotSatisfiable, title: "Range not satisfiable");

    public static ProblemHttpResult TooManyRequests(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");

    /// <summary>503: what ran out (<c>resource</c>) and why; the caller sets <c>Retry-After</c>.</summary>
    public static ProblemHttpResult Busy(string detail, string resource) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The platform is busy.", extensions: new Dictionary<string, object?> { ["resource"] = resource });

    public static ProblemHttpResult UnsupportedMediaType() =>
        TypedResults.Problem("Send the body as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
}
