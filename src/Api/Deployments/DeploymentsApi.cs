using System.Globalization;
using System.Text.Json;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Firmware;
using Embever.Actors.Api.Http;
using Embever.Actors.Deployments;
using Embever.Actors.Devices;
using Embever.Actors.Firmware;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Deployments;

/// <summary><c>/v2/deployments/</c>: firmware rollouts to many devices at once, and their cancellation.</summary>
public static class DeploymentsApi
{
    public const int MaxDevices = 100_000;

    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/deployments").WithTags("Deployments").RequireAuthorization().ForOrganisationTokens();
        group.MapGet("/", List).Produces<List<DeploymentResource>>()
            .WithName("listDeployments").WithSummary("List the organisation's deployments")
            .WithDescription("Oldest first, each with its progress.");
        group.MapPost("/", Create).Produces<DeploymentResource>(201).ProducesValidationProblem().ProducesProblem(409)
            .WithName("createDeployment").WithSummary("Roll a firmware out to devices")
            .WithDescription("All or nothing: every listed device gets a _fota action (service level 2) for the firmware, or none does. Devices with an unfinished update are refused (409, naming them).");
        group.MapGet("/{id}/", Get).Produces<DeploymentResource>().ProducesProblem(404)
            .WithName("getDeployment").WithSummary("Get a deployment and its progress")
            .WithDescription("Its devices and how many updates are pending, successful and failed.");
        group.MapPatch("/{id}/", Cancel).Produces<DeploymentResource>().ProducesValidationProblem().ProducesProblem(404)
            .WithName("cancelDeployment").WithSummary("Cancel a deployment")
            .WithDescription("`{\"cancelled\": true}`: every unfinished update's action is cancelled.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, DeploymentIndex deployments)
    {
        return await Paging.ListAsync(context, page => deployments.ListAsync(context.GetCaller().Organisation, page), d => DeploymentResource.From(context, d));
    }

    private static async Task<IResult> Create(
        HttpContext context, FirmwareIndex firmwares, DeviceIndex devices, UpdateIndex updates, DeploymentCreator creator)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request, 8 * 1024 * 1024);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("devices", "firmware");
        var firmwareId = fields.String("firmware", required: true);
        var deviceIds = ReadDevices(fields);
        var firmware = firmwareId is null ? null : await FirmwaresApi.Visible(context, firmwareId, firmwares);
        if (firmwareId is not null && firmware is null)
        {
            fields.Error("firmware", "No such firmware in this organisation.");
        }

        if (deviceIds is not null)
        {
            var unknown = await UnknownDevicesAsync(context.GetCaller(), deviceIds, devices);
            if (unknown.Count > 0)
            {
                fields.Error("devices", $"No such devices: {string.Join(", ", unknown)}.");
            }
        }

        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var busy = await updates.BusyDevicesAsync(deviceIds!);
        if (busy.Count > 0)
        {
            return Busy(busy);
        }

        var result = await creator.CreateAsync(new DeploymentDraft(context.GetCaller().Organisation, firmware!, deviceIds!));
        if (result.FirmwareGone)
        {
            return Problems.Field("firmware", "No such firmware in this organisation.");
        }

        if (result.Deployment is null)
        {
            return Busy(result.Refused);
        }

        var resource = DeploymentResource.From(context, result.Deployment);
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<IResult> Get(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        return view is null ? Problems.NotFound() : TypedResults.Ok(DeploymentResource.From(context, view));
    }

    private static async Task<IResult> Cancel(HttpContext context, string id, IGrainFactory grains)
    {
        var view = await Visible(context, id, grains);
        if (view is null)
        {
            return Problems.NotFound();
        }

        var (cancel, problem) = await CancelPatch.ReadAsync(context.Request, view.Cancelled, "deployment");
        if (problem is not null)
        {
            return problem;
        }

        var updated = cancel ? await grains.GetGrain<IDeploymentGrain>(view.Id).Cancel() : view;
        return TypedResults.Ok(DeploymentResource.From(context, updated ?? view));
    }

    private static List<string>? ReadDevices(JsonFields fields)
    {
        if (!fields.Body.TryGetProperty("devices", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            fields.Error("devices", "Required: a non-empty array of device ids.");
            return null;
        }

        if (array.GetArrayLength() > MaxDevices)
        {
            fields.Error("devices", $"At most {MaxDevices} devices per deployment.");
            return null;
        }

        var ids = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                fields.Error("devices", "Every device must be given by its id (a string).");
                return null;
            }

            ids.Add(item.GetString()!);
        }

        return ids.Distinct().ToList();
    }

    /// <summary>The ids that are not devices the caller can see, from the devices table in chunks.</summary>
    private static async Task<List<string>> UnknownDevicesAsync(Caller caller, IReadOnlyList<string> ids, DeviceIndex devices)
    {
        var visible = await devices.VisibleAsync(caller.Scope, ids.Where(Platform.ShortIds.LooksValid));
        return ids.Where(id => !visible.Contains(id)).ToList();
    }

    private static IResult Busy(IReadOnlyList<string> devices) =>
        Problems.Conflict(
            $"These devices have an unfinished update: {string.Join(", ", devices.Take(50))}{(devices.Count > 50 ? ", …" : "")}.",
            new Dictionary<string, object?> { ["devices"] = devices });

    private static async Task<DeploymentView?> Visible(HttpContext context, string id, IGrainFactory grains) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var deploymentId)
        && await grains.GetGrain<IDeploymentGrain>(deploymentId).Get() is { } view
        && context.GetCaller().CanSeeOrganisation(view.OrganisationId)
            ? view
            : null;
}
