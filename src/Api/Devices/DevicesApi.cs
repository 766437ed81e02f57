using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Platform;
using Embever.Actors.Security;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Devices;

/// <summary>
/// <c>/v2/devices/</c>. An application token sees, creates and changes only devices linked to
/// its application; an organisation token sees the whole organisation.
/// </summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/devices").WithTags("Devices").RequireAuthorization().ForTenants();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery<DeviceListParameters>()
            .WithName("listDevices").WithSummary("List the caller's devices")
            .WithDescription("Oldest first. Filter with `type`, `name`, `application` and `activated`. An application token sees only its application's devices.");
        group.MapPost("/", Create)
            .WithName("createDevice").WithSummary("Create a device (its password is shown once)")
            .WithDescription("The answer holds the device's password once: the device authenticates to the gateway with its id and this password. Names are unique within the organisation (409).");
        group.MapGet("/{id}/", Get)
            .WithName("getDevice").WithSummary("Get a device")
            .WithDescription("Its profile, application, event webhooks and when it was last seen.");
        group.MapPatch("/{id}/", Update)
            .WithName("updateDevice").WithSummary("Change a device")
            .WithDescription("Change its name, application, activation or event webhooks; absent fields stay as they are, `\"application\": null` unlinks it.");
        group.MapDelete("/{id}/", Delete)
            .WithName("deleteDevice").WithSummary("Delete a device")
            .WithDescription("The device and its credentials go at once; its events, actions, updates, files and webhook deliveries are erased in the background, within a minute for most devices.");
        return routes;
    }

    private static Task<Results<Ok<List<DeviceResource>>, ValidationProblem>> List(
        [AsParameters] DeviceListParameters filters, Caller caller, HttpContext context, DeviceIndex index) =>
        Paging.ListAsync(context, filters.ToQuery(caller.Scope), index.ListAsync, view => DeviceResource.From(context, view));

    private static async Task<Results<Created<DeviceResource>, ValidationProblem, ConflictProblem>> Create(
        CreateDeviceRequest request, Caller caller, HttpContext context, IGrainFactory grains, DeviceCreator creator)
    {
        var application = request.Application ?? caller.ApplicationId;
        var password = Secrets.New();
        var webhooks = request.Webhooks?.Select(w => w.ToWebhook()).ToList() ?? [];
        var result = await creator.CreateAsync(new DeviceDraft(caller.Organisation, application, request.Name, request.Activated, webhooks, []), password);
        switch (result.Error)
        {
            case DeviceWriteError.None:
                var resource = DeviceResource.From(context, result.Device!) with { Password = password };
                return TypedResults.Created(resource.Url, resource);
            case DeviceWriteError.NameTaken:
                return NameTaken(request.Name);
            case DeviceWriteError.ApplicationGone:
                return ApplicationGone();
            default:
                throw new InvalidOperationException($"Creating a device failed: {result.Error}.");
        }
    }

    private static async Task<Results<Ok<DeviceResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view ? TypedResults.Ok(DeviceResource.From(context, view)) : Problems.NotFound();

    private static async Task<Results<Ok<DeviceResource>, ValidationProblem, NotFoundProblem, ConflictProblem>> Update(
        string id, UpdateDeviceRequest request, Caller caller, HttpContext context, IGrainFactory grains)
    {
        if (await Find(id, caller, grains) is not { } view)
        {
            return Problems.NotFound();
        }

        var webhooks = request.WebhooksGiven ? request.Webhooks?.Select(w => w.ToWebhook()).ToList() ?? [] : null;
        var patch = new DevicePatch(request.Name, request.ApplicationGiven, request.Application, request.Activated, webhooks);
        var result = await grains.GetGrain<IDeviceGrain>(view.Id).Update(patch);
        return result.Error switch
        {
            DeviceWriteError.None => TypedResults.Ok(DeviceResource.From(context, result.Device!)),
            DeviceWriteError.NameTaken => NameTaken(patch.Name!),
            DeviceWriteError.ApplicationGone => ApplicationGone(),
            _ => Problems.NotFound(),
        };
    }

    private static async Task<Results<NoContent, NotFoundProblem>> Delete(string id, Caller caller, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view && await grains.GetGrain<IDeviceGrain>(view.Id).Delete()
            ? TypedResults.NoContent()
            : Problems.NotFound();

    /// <summary>The device of a <c>/{id}/</c> route, if the caller may see it: every 404 of devices comes from here.</summary>
    internal static async Task<DeviceView?> Find(string id, Caller caller, IGrainFactory grains) =>
        ShortIds.LooksValid(id) && await grains.GetGrain<IDeviceGrain>(id).Get() is { } view && caller.CanSee(view) ? view : null;

    private static ValidationProblem ApplicationGone() => Problems.Field("application", DeviceApplication.NoSuchApplication);

    private static ConflictProblem NameTaken(string name) =>
        Problems.Conflict($"A device named '{name}' already exists in this organisation.");
}
