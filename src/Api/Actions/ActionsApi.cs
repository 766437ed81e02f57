using System.Globalization;
using Embever.Actors.Actions;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Files;
using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Api.Actions;

/// <summary><c>/v2/actions/</c>: create actions for devices, follow them, cancel them.</summary>
public static class ActionsApi
{
    public static IEndpointRouteBuilder MapActionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/actions").WithTags("Actions").RequireAuthorization().ForTenants();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery<ActionListParameters>(incremental: true)
            .WithName("listActions").WithSummary("List the actions of the caller's devices")
            .WithDescription("Oldest first. Filter with `type` and `device`. Each action shows the statuses it reached and when.");
        group.MapPost("/", Create).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithName("createAction").WithSummary("Create an action, buffered until the device wakes")
            .WithDescription("Buffered until the device wakes: one per type (a newer one overrides an unsent older one), re-sent at service level 1 and 2 until acknowledged or answered, dropped at its expiry. Webhooks fire for the statuses named.");
        group.MapGet("/{id}/", Get)
            .WithName("getAction").WithSummary("Get an action")
            .WithDescription("Its statuses with times, its result and whether it finished, expired or was cancelled.");
        group.MapPatch("/{id}/", Cancel)
            .WithName("cancelAction").WithSummary("Cancel an action")
            .WithDescription("`{\"cancelled\": true}`: an action not yet finished is cancelled; a finished one stays as it is.");
        return routes;
    }

    private static async Task<Results<Ok<List<ActionResource>>, ValidationProblem>> List(
        [AsParameters] ActionListParameters filters, Caller caller, HttpContext context, ActionIndex actions, DeviceIndex devices)
    {
        var (page, problem) = Paging.Read(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await actions.ListAsync(new ActionQuery(caller.Scope, filters.Type, filters.Device), page);
        var names = await devices.NamesAsync(result.Items.Select(a => a.DeviceId));
        return Paging.Answer(context, page, result, a => ActionResource.From(ResourceUrls.Base(context), a, names.GetValueOrDefault(a.DeviceId)));
    }

    private static async Task<Results<Created<ActionResource>, ValidationProblem, ProblemHttpResult>> Create(
        CreateActionRequest request, Caller caller, HttpContext context, IGrainFactory grains, DeviceIndex devices, ActionCreator creator, FileStore files, PayloadLimits limits)
    {
        if (await FindDevice(request.Device, caller, grains, devices) is not { } device)
        {
            return Problems.Field("device", "No such device.");
        }

        var payload = request.Payload ?? [];
        var json = payload.ToJsonString();
        var limit = limits.For(device.OrganisationId);
        if (PayloadLimits.SizeOf(payload) is var size && size > limit)
        {
            return Problems.PayloadTooLarge("action's payload", size, limit);
        }

        string? fileId = null;
        if (request.Type == ActionTypes.GetFile)
        {
            if (!DataUri.TryParse(payload["file"]!.GetValue<string>(), out var mediaType, out var content))
            {
                return Problems.Field("payload.file", "Must be a data:<type>/<format>;base64,<data> URI.");
            }

            var file = await files.CreateAsync(device.OrganisationId, mediaType, new MemoryStream(content), context.RequestAborted);
            payload["file"] = fileId = file.Id;
            json = payload.ToJsonString();
        }

        var webhooks = request.Webhooks?.Select(w => w.ToWebhook()).ToList() ?? [];
        var action = await creator.CreateAsync(device.Id, request.Type, json, webhooks, request.ServiceLevel, request.ExpiryDate, fileId);
        if (action is null)
        {
            return Problems.Field("device", "No such device.");
        }

        var resource = ActionResource.From(ResourceUrls.Base(context), action, device.Name);
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<Results<Ok<ActionResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, ActionIndex actions, DeviceIndex devices) =>
        await Find(id, caller, actions, devices) is { } action ? TypedResults.Ok(await ResourceAsync(context, action, devices)) : Problems.NotFound();

    private static async Task<Results<Ok<ActionResource>, ValidationProblem, NotFoundProblem>> Cancel(
        string id, CancelRequest request, Caller caller, HttpContext context, ActionIndex actions, DeviceIndex devices, IGrainFactory grains)
    {
        if (await Find(id, caller, actions, devices) is not { } action)
        {
            return Problems.NotFound();
        }

        if (request.Resumes(action.Cancelled, "action") is { } problem)
        {
            return problem;
        }

        if (request.Cancelled)
        {
            action = await grains.GetGrain<IDeviceGrain>(action.DeviceId).CancelAction(action.Id) ?? action;
        }

        return TypedResults.Ok(await ResourceAsync(context, action, devices));
    }

    private static async Task<ActionResource> ResourceAsync(HttpContext context, DeviceAction action, DeviceIndex devices) =>
        ActionResource.From(ResourceUrls.Base(context), action, (await devices.NamesAsync([action.DeviceId])).GetValueOrDefault(action.DeviceId));

    private static async Task<DeviceView?> FindDevice(DeviceReference reference, Caller caller, IGrainFactory grains, DeviceIndex devices)
    {
        var id = reference.Id ?? await devices.FindByNameAsync(caller.Organisation, reference.Name!);
        if (id is null || !ShortIds.LooksValid(id))
        {
            return null;
        }

        var device = await grains.GetGrain<IDeviceGrain>(id).Get();
        var matches = device is not null && caller.CanSee(device) && (reference.Name is null || device.Name == reference.Name);
        return matches ? device : null;
    }

    /// <summary>The action of a <c>/{id}/</c> route, if the caller may see it: every 404 of actions comes from here.</summary>
    private static async Task<DeviceAction?> Find(string id, Caller caller, ActionIndex actions, DeviceIndex devices) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var actionId)
        && await actions.GetAsync(actionId) is { } action
        && await caller.CanSeeAsync(action.OrganisationId, action.DeviceId, devices)
            ? action
            : null;
}
