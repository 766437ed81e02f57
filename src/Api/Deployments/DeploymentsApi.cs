using System.Globalization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Firmware;
using Embever.Actors.Api.Http;
using Embever.Actors.Deployments;
using Embever.Actors.Deployments.Rollouts;
using Embever.Actors.Devices;
using Embever.Actors.Firmware;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Deployments;

/// <summary><c>/v2/deployments/</c>: firmware rollouts to many devices at once, and their cancellation.</summary>
public static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/deployments").WithTags("Deployments").RequireAuthorization().ForOrganisationTokens();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery()
            .WithName("listDeployments").WithSummary("List the organisation's deployments")
            .WithDescription("Oldest first, each with its progress.");
        group.MapPost("/", Create)
            .WithName("createDeployment").WithSummary("Roll a firmware out to devices")
            .WithDescription(
                "All or nothing: every listed device gets a _fota action (service level 2) for the firmware, or none does. Devices with an unfinished update are refused (409, naming them).\n\n" +
                "**Staged rollout** (`rollout`, docs/rollouts.md): the devices are split into `groups` in the order given (the rest form the last group). Every device is reserved at once, but only started groups' actions are released to devices, at most `max_per_minute`. " +
                "Group n+1 starts when `success_threshold` of group n succeeded; a group that finished short of it pauses the rollout until resumed. When the failed share of the released devices reaches `error_threshold`, the rollout aborts: unsent actions are withdrawn, no group starts. " +
                "An update not finished `update_timeout_seconds` after its release fails. `pause_between_groups` pauses after each group.\n\n" +
                "*Worked example*: 500 devices, `groups` [10, 100], `success_threshold` 0.95, `error_threshold` 0.1, `max_per_minute` 100. Group 1 (devices 1–10) is released at once. When 10 of 10 succeeded, group 2 (11–110) starts, released at the pace of 100 in any minute. " +
                "At 95 of 100 successful group 3 (the other 390) starts, 100 a minute. Had 11 of the first 110 released failed, it would have aborted and group 3 never started.\n\n" +
                "**Webhooks** (`webhooks`): `group_started`, `group_completed`, `paused`, `aborted`, `completed`, POSTed with `X-Webhook-Delivery` and `X-Org-Token` as `{\"event\", \"group\", \"at\", \"deployment\"}` (the deployment as this resource shows it); without a rollout the devices are one group.");
        group.MapGet("/{id}/", Get)
            .WithName("getDeployment").WithSummary("Get a deployment and its progress")
            .WithDescription("Its devices and how many updates are pending, successful and failed.");
        group.MapPatch("/{id}/", Update)
            .WithName("updateDeployment").WithSummary("Cancel a deployment, or pause and resume its rollout")
            .WithDescription("`{\"cancelled\": true}`: every unfinished update's action is cancelled. `{\"paused\": true}` pauses a staged rollout (nothing more is released, no group starts); `{\"paused\": false}` resumes it, and at a pause between groups starts the next group. A deployment without a rollout cannot be paused (409).");
        return routes;
    }

    private static Task<Results<Ok<List<DeploymentResource>>, ValidationProblem>> List(Caller caller, HttpContext context, DeploymentIndex deployments) =>
        Paging.ListAsync(context, page => deployments.ListAsync(caller.Organisation, page), d => DeploymentResource.From(ResourceUrls.Base(context), d));

    private static async Task<Results<Created<DeploymentResource>, ValidationProblem, ConflictProblem>> Create(
        CreateDeploymentRequest request, Caller caller, HttpContext context, FirmwareIndex firmwares, UpdateIndex updates, DeploymentCreator creator)
    {
        var devices = request.Devices.Distinct().ToList();
        var busy = await updates.BusyDevicesAsync(devices);
        if (busy.Count > 0)
        {
            return Busy(busy);
        }

        var firmware = await FirmwaresApi.FindAsync(request.Firmware, caller, firmwares);
        var result = firmware is null ? null : await creator.CreateAsync(new DeploymentDraft(caller.Organisation, firmware, devices, request.Rollout?.ToPolicy(), request.Webhooks?.Select(w => w.ToWebhook()).ToList()));
        if (result is null || result.FirmwareGone)
        {
            return Problems.Field("firmware", "No such firmware in this organisation.");
        }

        if (result.Deployment is null)
        {
            return Busy(result.Refused);
        }

        var resource = DeploymentResource.From(ResourceUrls.Base(context), result.Deployment);
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<Results<Ok<DeploymentResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, IGrainFactory grains) =>
        await Find(id, caller, grains) is { } view ? TypedResults.Ok(DeploymentResource.From(ResourceUrls.Base(context), view)) : Problems.NotFound();

    private static async Task<Results<Ok<DeploymentResource>, ValidationProblem, NotFoundProblem, ConflictProblem>> Update(
        string id, UpdateDeploymentRequest request, Caller caller, HttpContext context, IGrainFactory grains)
    {
        if (await Find(id, caller, grains) is not { } view)
        {
            return Problems.NotFound();
        }

        if (request.Cancelled == false && view.Cancelled)
        {
            return Problems.Field("cancelled", "A cancelled deployment cannot be resumed; create a new one.");
        }

        var grain = grains.GetGrain<IDeploymentGrain>(view.Id);
        if (request.Cancelled == true)
        {
            return TypedResults.Ok(DeploymentResource.From(ResourceUrls.Base(context), await grain.Cancel() ?? view));
        }

        if (request.Paused is { } paused)
        {
            if (view.Rollout is null)
            {
                return Problems.Conflict("This deployment has no rollout: every device got its update at once, there is nothing to pause.");
            }

            if (view.Status is not (RolloutStatus.Running or RolloutStatus.Paused))
            {
                return Problems.Conflict($"This deployment is {view.Status.ToString().ToLowerInvariant()}: it can no longer be paused or resumed.");
            }

            view = await grain.SetPaused(paused) ?? view;
        }

        return TypedResults.Ok(DeploymentResource.From(ResourceUrls.Base(context), view));
    }

    private static ConflictProblem Busy(IReadOnlyList<string> devices) =>
        Problems.Conflict(
            $"These devices have an unfinished update: {string.Join(", ", devices.Take(50))}{(devices.Count > 50 ? ", …" : "")}.",
            new Dictionary<string, object?> { ["devices"] = devices });

    /// <summary>The deployment of a <c>/{id}/</c> route, if it is of the caller's organisation: every 404 of deployments comes from here.</summary>
    private static async Task<DeploymentView?> Find(string id, Caller caller, IGrainFactory grains) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var deploymentId)
        && await grains.GetGrain<IDeploymentGrain>(deploymentId).Get() is { } view
        && caller.CanSeeOrganisation(view.OrganisationId)
            ? view
            : null;
}
