using System.Globalization;
using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// The device gateway over HTTP (docs/gateway-protocol.md): one exchange per wakeup, and file
/// downloads. Devices authenticate with HTTP Basic (device id, password); the work is
/// <see cref="DeviceGateway"/>'s, shared with CoAP, and this maps its outcomes to HTTP.
/// </summary>
public static class GatewayApi
{
    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/gateway/v1").WithTags("Device gateway").AllowAnonymous().WithMetadata(new DeviceCredentials.Required());
        group.MapPost("/exchange", Exchange).WithBody<ExchangeRequest>(optional: true).Produces<ExchangeResponse>().ProducesValidationProblem().ProducesProblem(401).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429).ProducesProblem(503)
            .WithName("exchange").WithSummary("A device's wakeup: send events, acknowledgements and responses; receive actions")
            .WithDescription("One request per wakeup (docs/gateway-protocol.md). The body carries new events, acknowledgements of the actions received and responses to those that asked for one; the answer lists the actions to perform now, highest service level first. An empty body is a plain wakeup.");
        group.MapGet("/files/{id}", Download).Produces(200).Produces(206).ProducesProblem(401).ProducesProblem(404)
            
                .WithName("downloadFile").WithSummary("Download a file or firmware image (Range requests resume)")
                .WithDescription("A file named by a getFile or _fota action of this device. `Range: bytes=N-` resumes an interrupted download; `If-Range` with the ETag makes sure the file did not change.");
        group.MapMethods("/files/{id}", [HttpMethods.Head], Download).Produces(200).ProducesProblem(401).ProducesProblem(404)
            
                .WithName("describeFile").WithSummary("A file's size and ETag, without its content")
                .WithDescription("The headers of a download (size, ETag), to decide where to resume.");
        return routes;
    }

    private static async Task<IResult> Exchange(HttpContext context, DeviceGateway gateway, DeviceSource source)
    {
        IResult? problem = null;
        var result = await gateway.ExchangeAsync(
            DeviceCredentials.From(context.Request),
            source.Of(context),
            async () =>
            {
                (var request, problem) = await RequestBody.ReadAsync<ExchangeRequest>(context);
                return request;
            },
            "http",
            context.RequestAborted);
        return result.Outcome == GatewayOutcome.Ok
            ? TypedResults.Ok(ExchangeResponse.From(result.Answer!))
            : result.Outcome == GatewayOutcome.TooLarge
                ? TypedResults.Problem(result.Detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large")
                : Refusal(context, result.Outcome, result.RetryAfter, problem);
    }

    private static async Task<IResult> Download(HttpContext context, string id, DeviceGateway gateway, DeviceSource source)
    {
        var found = await gateway.FindFileAsync(DeviceCredentials.From(context.Request), source.Of(context), id);
        if (found.Outcome != GatewayOutcome.Ok)
        {
            return Refusal(context, found.Outcome, found.RetryAfter, null);
        }

        await FileDownload.WriteAsync(context, found.File!, found.Blob!, gateway);
        return TypedResults.Empty;
    }

    /// <summary>A refused request in HTTP's terms; 401s give no hint whether the device exists.</summary>
    internal static IResult Refusal(HttpContext context, GatewayOutcome outcome, TimeSpan retryAfter, IResult? invalid)
    {
        if (outcome is GatewayOutcome.RateLimited or GatewayOutcome.Busy)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (outcome == GatewayOutcome.Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"gateway\"";
        }

        return outcome switch
        {
            GatewayOutcome.Unauthorized => Problems.Unauthorized("Wrong device credentials."),
            GatewayOutcome.RateLimited => Problems.TooManyRequests("Too many requests from this device, or too many failed ones from this address; wait as Retry-After says."),
            GatewayOutcome.Busy => TypedResults.Problem(
                "The gateway is working on as many exchanges as it takes; try again as Retry-After says.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Busy"),
            GatewayOutcome.Invalid => invalid!,
            _ => Problems.NotFound(),
        };
    }
}
