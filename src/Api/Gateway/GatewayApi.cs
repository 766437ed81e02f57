using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Files;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// The device gateway (docs/gateway-protocol.md): one exchange per wakeup, and file downloads.
/// Devices authenticate with HTTP Basic (device id, password). An id that names no device is
/// refused after one cached lookup (<see cref="DeviceDirectory"/>), before any grain is activated;
/// a known device is held to its rate (<see cref="DeviceRateLimiter"/>) and waits for its turn
/// (<see cref="ExchangeConcurrency"/>); then each request is one call to the device's grain,
/// which checks the password — no global lock.
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

    private static async Task<IResult> Exchange(
        HttpContext context, IGrainFactory grains, DeviceDirectory directory, DeviceRateLimiter limiter, ExchangeConcurrency concurrency)
    {
        if (DeviceCredentials.From(context.Request) is not { } credentials || !await directory.ExistsAsync(credentials.DeviceId))
        {
            return Counted(DeviceCredentials.Refused(context), "unauthorized");
        }

        if (limiter.Check(context, credentials.DeviceId) is { } tooMany)
        {
            return Counted(tooMany, "rate_limited");
        }

        using var turn = await concurrency.EnterAsync(context.RequestAborted);
        if (!turn.IsAcquired)
        {
            return Counted(ExchangeConcurrency.Busy(context), "busy");
        }

        // The body is read only now: an unknown or over-eager device costs no reading and no parsing.
        var (request, problem) = await RequestBody.ReadAsync<ExchangeRequest>(context);
        if (request is null)
        {
            return Counted(problem!, "invalid");
        }

        var answer = await grains.GetGrain<IDeviceGrain>(credentials.DeviceId).Exchange(credentials.Password, request.ToExchange());
        return answer is null
            ? Counted(DeviceCredentials.Refused(context), "unauthorized")
            : Counted(TypedResults.Ok(ExchangeResponse.From(answer)), "ok");
    }

    private static IResult Counted(IResult result, string outcome)
    {
        PlatformMetrics.Exchanges.Add(1, new KeyValuePair<string, object?>("transport", "http"), new KeyValuePair<string, object?>("outcome", outcome));
        return result;
    }

    private static async Task<IResult> Download(HttpContext context, string id, IGrainFactory grains, FileStore files, DeviceDirectory directory, DeviceRateLimiter limiter)
    {
        if (DeviceCredentials.From(context.Request) is not { } credentials || !await directory.ExistsAsync(credentials.DeviceId))
        {
            return DeviceCredentials.Refused(context);
        }

        if (limiter.Check(context, credentials.DeviceId) is { } tooMany)
        {
            return tooMany;
        }

        var permission = Platform.ShortIds.LooksValid(id)
            ? await grains.GetGrain<IDeviceGrain>(credentials.DeviceId).MayDownload(credentials.Password, id)
            : DownloadPermission.NotFound;
        if (permission == DownloadPermission.Unauthorized)
        {
            return DeviceCredentials.Refused(context);
        }

        if (permission != DownloadPermission.Allowed || await files.GetAsync(id) is not { } file || await files.Blobs.GetAsync(file.Sha256) is not { } blob)
        {
            return Problems.NotFound();
        }

        await FileDownload.WriteAsync(context, file, blob, files.Blobs);
        return TypedResults.Empty;
    }
}
