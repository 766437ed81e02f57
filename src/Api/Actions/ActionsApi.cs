using System.Globalization;
using System.Text.Json.Nodes;
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
        group.MapGet("/", List).Produces<List<ActionResource>>()
            .WithName("listActions").WithSummary("List the actions of the caller's devices")
            .WithDescription("Oldest first. Filter with `type` and `device`. Each action shows the statuses it reached and when.");
        group.MapPost("/", Create).Produces<ActionResource>(201).ProducesValidationProblem()
            .WithName("createAction").WithSummary("Create an action, buffered until the device wakes")
            .WithDescription("Buffered until the device wakes: one per type (a newer one overrides an unsent older one), re-sent at service level 1 and 2 until acknowledged or answered, dropped at its expiry. Webhooks fire for the statuses named.");
        group.MapGet("/{id}/", Get).Produces<ActionResource>().ProducesProblem(404)
            .WithName("getAction").WithSummary("Get an action")
            .WithDescription("Its statuses with times, its result and whether it finished, expired or was cancelled.");
        group.MapPatch("/{id}/", Cancel).Produces<ActionResource>().ProducesValidationProblem().ProducesProblem(404)
            .WithName("cancelAction").WithSummary("Cancel an action")
            .WithDescription("`{\"cancelled\": true}`: an action not yet finished is cancelled; a finished one stays as it is.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, ActionIndex actions, DeviceIndex devices)
    {
        var (page, problem) = Paging.Read(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var query = new ActionQuery(context.GetCaller().Scope, context.Request.Query["type"], context.Request.Query["device"]);
        var result = await actions.ListAsync(query, page);
        var names = await devices.NamesAsync(result.Items.Select(a => a.DeviceId));
        return Paging.Answer(context, page, result, a => ActionResource.From(ResourceUrls.Base(context), a, names.GetValueOrDefault(a.DeviceId)));
    }

    private static async Task<IResult> Create(
        HttpContext context, IGrainFactory grains, DeviceIndex devices, ActionCreator creator, FileStore files, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request, ActionRequest.BodyLimit);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body);
        var request = ActionRequest.Parse(fields, time.GetUtcNow().UtcDateTime);
        if (request is null)
        {
            return fields.Problem();
        }

        var caller = context.GetCaller();
        var device = await ResolveDevice(request, caller, grains, devices);
        if (device is null)
        {
            return Problems.Field("device", "No such device.");
        }

        string? fileId = null;
        if (request.Type == ActionTypes.GetFile)
        {
            if (!DataUri.TryParse(request.Payload["file"]!.GetValue<string>(), out var mediaType, out var content))
            {
                return Problems.Field("payload.file", "Must be a data:<type>/<format>;base64,<data> URI.");
            }

            var file = await files.CreateAsync(device.OrganisationId, mediaType, new MemoryStream(content), context.RequestAborted);
            request.Payload["file"] = fileId = file.Id;
        }

        var action = await creator.CreateAsync(
            device.Id, request.Type, request.Payload.ToJsonString(), request.Webhooks, request.ServiceLevel, request.ExpiryDate, fileId);
        if (action is null)
        {
            return Problems.Field("device", "No such device.");
        }

        var resource = ActionResource.From(ResourceUrls.Base(context), action, device.Name);
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<IResult> Get(HttpContext context, string id, ActionIndex actions, DeviceIndex devices)
    {
        var action = await Visible(context, id, actions, devices);
        return action is null
            ? Problems.NotFound()
            : TypedResults.Ok(ActionResource.From(ResourceUrls.Base(context), action, (await devices.NamesAsync([action.DeviceId])).GetValueOrDefault(action.DeviceId)));
    }

    private static async Task<IResult> Cancel(HttpContext context, string id, ActionIndex actions, DeviceIndex devices, IGrainFactory grains)
    {
        var action = await Visible(context, id, actions, devices);
        if (action is null)
        {
            return Problems.NotFound();
        }

        var (cancel, problem) = await CancelPatch.ReadAsync(context.Request, action.Cancelled, "action");
        if (problem is not null)
        {
            return problem;
        }

        if (cancel)
        {
            action = await grains.GetGrain<IDeviceGrain>(action.DeviceId).CancelAction(action.Id) ?? action;
        }

        return TypedResults.Ok(ActionResource.From(ResourceUrls.Base(context), action, (await devices.NamesAsync([action.DeviceId])).GetValueOrDefault(action.DeviceId)));
    }

    private static async Task<DeviceView?> ResolveDevice(ActionRequest request, Caller caller, IGrainFactory grains, DeviceIndex devices)
    {
        var id = request.DeviceId ?? await devices.FindByNameAsync(caller.Organisation, request.DeviceName!);
        if (id is null || !ShortIds.LooksValid(id))
        {
            return null;
        }

        var device = await grains.GetGrain<IDeviceGrain>(id).Get();
        var matches = device is not null && caller.CanSee(device) && (request.DeviceName is null || device.Name == request.DeviceName);
        return matches ? device : null;
    }

    private static async Task<DeviceAction?> Visible(HttpContext context, string id, ActionIndex actions, DeviceIndex devices)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var actionId))
        {
            return null;
        }

        var action = await actions.GetAsync(actionId);
        return action is not null && await context.GetCaller().CanSeeAsync(action.OrganisationId, action.DeviceId, devices) ? action : null;
    }
}
