using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Files;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// The device gateway (docs/gateway-protocol.md): one exchange per wakeup, and file downloads.
/// Devices authenticate with HTTP Basic (device id, password); each request is one call to the
/// device's grain, which checks the password — no global lock, no registry.
/// </summary>
public static class GatewayApi
{
    public static IEndpointRouteBuilder MapGatewayApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/gateway/v1").WithTags("Device gateway").AllowAnonymous();
        group.MapPost("/exchange", Exchange).Produces<ExchangeResponse>().ProducesProblem(400).ProducesProblem(401);
        group.MapMethods("/files/{id}", [HttpMethods.Get, HttpMethods.Head], Download).Produces(200).Produces(206).ProducesProblem(401).ProducesProblem(404);
        return routes;
    }

    private static async Task<IResult> Exchange(HttpContext context, IGrainFactory grains)
    {
        if (DeviceCredentials.From(context.Request) is not { } credentials)
        {
            return DeviceCredentials.Refused(context);
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request, ExchangeRequest.BodyLimit, emptyIsObject: true);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body);
        var request = ExchangeRequest.Parse(fields);
        if (request is null)
        {
            return fields.Problem();
        }

        var answer = await grains.GetGrain<IDeviceGrain>(credentials.DeviceId).Exchange(credentials.Password, request);
        return answer is null ? DeviceCredentials.Refused(context) : TypedResults.Ok(ExchangeResponse.From(answer));
    }

    private static async Task<IResult> Download(HttpContext context, string id, IGrainFactory grains, FileStore files)
    {
        if (DeviceCredentials.From(context.Request) is not { } credentials)
        {
            return DeviceCredentials.Refused(context);
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
