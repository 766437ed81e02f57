namespace Embever.Actors.Api.Http;

/// <summary>The API's errors, all <c>application/problem+json</c> (RFC 9457).</summary>
public static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "The request has invalid fields; see errors.", title: "Invalid request");

    public static IResult Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static IResult NotFound() =>
        TypedResults.Problem("No such object, or it is not visible to this token.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult Unauthorized(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions);

    public static IResult TooLarge(long limit) =>
        TypedResults.Problem($"The request body is larger than {limit} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");

    public static IResult RangeNotSatisfiable(long size) =>
        TypedResults.Problem($"The range is outside the file's {size} bytes.", statusCode: StatusCodes.Status416RangeNotSatisfiable, title: "Range not satisfiable");

    public static IResult TooManyRequests(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");

    public static IResult UnsupportedMediaType() =>
        TypedResults.Problem("Send the body as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
}
