using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Applications;
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
        group.MapGet("/", List).Produces<List<DeviceResource>>()
            .WithName("listDevices").WithSummary("List the caller's devices")
            .WithDescription("Oldest first. Filter with `type`, `name`, `application` and `activated`. An application token sees only its application's devices.");
        group.MapPost("/", Create).Produces<DeviceResource>(201).ProducesValidationProblem().ProducesProblem(409)
            .WithName("createDevice").WithSummary("Create a device (its password is shown once)")
            .WithDescription("The answer holds the device's password once: the device authenticates to the gateway with its id and this password. Names are unique within the organisation (409).");
        group.MapGet("/{id}/", Get).Produces<DeviceResource>().ProducesProblem(404)
            .WithName("getDevice").WithSummary("Get a device")
            .WithDescription("Its profile, application, event webhooks and when it was last seen.");
        group.MapPatch("/{id}/", Update).Produces<DeviceResource>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithName("updateDevice").WithSummary("Change a device")
            .WithDescription("Change its name, application, activation or event webhooks; absent fields stay as they are.");
        group.MapDelete("/{id}/", Delete).Produces(204).ProducesProblem(404)
            .WithName("deleteDevice").WithSummary("Delete a device")
            .WithDescription("The device, its buffered actions and its credentials go; its events stay listed.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, DeviceIndex index)
    {
        var parameters = context.Request.Query;
        var query = new DeviceQuery(context.GetCaller().Scope, parameters["type"], parameters["name"]);

        // An application id or activation state that cannot exist matches nothing: an empty list, not an error.
        var impossible = false;
        if (parameters.TryGetValue("application", out var application))
        {
            impossible |= !Guid.TryParse(application, out var applicationId);
            query = query with { Application = applicationId };
        }

        if (parameters.TryGetValue("activated", out var activatedText))
        {
            impossible |= !bool.TryParse(activatedText, out var activated);
            query = query with { Activated = activated };
        }

        return await Paging.ListAsync(
            context,
            page => impossible ? Task.FromResult(new Page<DeviceView>([], 0)) : index.ListAsync(query, page),
            view => DeviceResource.From(context, view));
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains, DeviceCreator creator, PlatformKeys keys)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var caller = context.GetCaller();
        var fields = new JsonFields(body).Allow("name", "application", "activated", "webhooks");
        var name = fields.String("name", required: true);
        var application = fields.Uuid("application") ?? caller.ApplicationId;
        var activated = fields.Bool("activated") ?? false;
        var webhooks = ReadWebhooks(fields) ?? [];
        await CheckApplication(fields, caller, application, grains);
        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var password = Secrets.New();
        var draft = new DeviceDraft(caller.Organisation, application, name!, activated, webhooks, keys.Hasher.Hash(password));
        var result = await creator.CreateAsync(draft);
        switch (result.Error)
        {
            case DeviceWriteError.None:
                var resource = DeviceResource.From(context, result.Device!) with { Password = password };
                return TypedResults.Created(resource.Url, resource);
            case DeviceWriteError.NameTaken:
                return NameTaken(name!);
            case DeviceWriteError.ApplicationGone:
                return ApplicationGone();
            default:
                throw new InvalidOperationException($"Creating a device failed: {result.Error}.");
        }
    }

    private static async Task<IResult> Get(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        return view is null ? Problems.NotFound() : TypedResults.Ok(DeviceResource.From(context, view));
    }

    private static async Task<IResult> Update(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        if (view is null)
        {
            return Problems.NotFound();
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var caller = context.GetCaller();
        var fields = new JsonFields(body).Allow("name", "application", "activated", "webhooks");
        var applicationGiven = fields.Has("application");
        var patch = new DevicePatch(
            fields.String("name"),
            applicationGiven,
            fields.Uuid("application"),
            fields.Bool("activated"),
            ReadWebhooks(fields));
        if (applicationGiven)
        {
            await CheckApplication(fields, caller, patch.ApplicationId, grains);
        }

        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var result = await grains.GetGrain<IDeviceGrain>(view.Id).Update(patch);
        return result.Error switch
        {
            DeviceWriteError.None => TypedResults.Ok(DeviceResource.From(context, result.Device!)),
            DeviceWriteError.NameTaken => NameTaken(patch.Name!),
            DeviceWriteError.ApplicationGone => ApplicationGone(),
            _ => Problems.NotFound(),
        };
    }

    private static async Task<IResult> Delete(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        if (view is null || !await grains.GetGrain<IDeviceGrain>(view.Id).Delete())
        {
            return Problems.NotFound();
        }

        return TypedResults.NoContent();
    }

    internal static async Task<DeviceView?> Visible(HttpContext context, string id, IGrainFactory grains)
    {
        if (!ShortIds.LooksValid(id))
        {
            return null;
        }

        var view = await grains.GetGrain<IDeviceGrain>(id).Get();
        return view is not null && context.GetCaller().CanSee(view) ? view : null;
    }

    /// <summary>The application a device links to must be the caller's organisation's, and an application token's own.</summary>
    private static async Task CheckApplication(JsonFields fields, Caller caller, Guid? application, IGrainFactory grains)
    {
        if (caller.ApplicationId is { } scope && application != scope)
        {
            fields.Error("application", "An application token can only link devices to its own application.");
        }
        else if (application is { } applicationId && (await grains.GetGrain<IApplicationGrain>(applicationId).Get())?.OrganisationId != caller.Organisation)
        {
            fields.Error("application", "No such application in this organisation.");
        }
    }

    private static IReadOnlyList<EventWebhook>? ReadWebhooks(JsonFields fields) =>
        WebhookFields.Read(fields, "type", type => type.Length > 255 ? "Must be at most 255 characters." : null)?
            .Select(w => new EventWebhook(w.Trigger, w.Url, w.PayloadOnly)).ToList();

    private static IResult ApplicationGone() => Problems.Field("application", "No such application in this organisation.");

    private static IResult NameTaken(string name) =>
        Problems.Conflict($"A device named '{name}' already exists in this organisation.");
}
