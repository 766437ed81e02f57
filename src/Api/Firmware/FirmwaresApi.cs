using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Files;
using Embever.Actors.Firmware;
using Embever.Actors.Platform;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Api.Firmware;

/// <summary><c>/v2/firmwares/</c>: firmware images, stored by content and streamed to devices.</summary>
public static class FirmwaresApi
{
    public static IEndpointRouteBuilder MapFirmwaresApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v2/firmwares").WithTags("Firmwares").RequireAuthorization().ForOrganisationTokens();
        group.MapGet("/", List).RequireRateLimiting(ListRateLimit.Policy).WithListQuery()
            .WithName("listFirmwares").WithSummary("List the organisation's firmwares")
            .WithDescription("Oldest first, with version, destination, size and SHA-256.");
        group.MapPost("/", Create).DisableAntiforgery().WithBody<FirmwareUploadRequest>(contentTypes: ["multipart/form-data", "application/json"])
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithName("uploadFirmware").WithSummary("Upload a firmware image (multipart)")
            .WithDescription("multipart/form-data: the image in `file`, with `version`, `alias`, `dest`, `description` and optionally `predecessor`. The image is stored once per content (SHA-256).");
        group.MapGet("/{id}/", Get)
            .WithName("getFirmware").WithSummary("Get a firmware")
            .WithDescription("Its metadata; devices download the image through the gateway.");
        group.MapDelete("/{id}/", Delete)
            .WithName("deleteFirmware").WithSummary("Delete a firmware no unfinished deployment rolls out")
            .WithDescription("Refused (409) while an unfinished deployment rolls it out.");
        return routes;
    }

    private static Task<Results<Ok<List<FirmwareResource>>, ValidationProblem>> List(Caller caller, HttpContext context, FirmwareIndex firmwares) =>
        Paging.ListAsync(context, page => firmwares.ListAsync(caller.Organisation, page), f => FirmwareResource.From(context, f));

    private static async Task<Results<Created<FirmwareResource>, ValidationProblem, ProblemHttpResult>> Create(
        Caller caller, HttpContext context, FirmwareIndex firmwares, FirmwareCatalog catalog)
    {
        var (upload, problem) = await FirmwareUpload.ReadAsync(context);
        if (upload is null)
        {
            return problem is ValidationProblem invalid ? invalid : (ProblemHttpResult)problem!;
        }

        var fields = upload.Fields;
        var predecessor = string.IsNullOrEmpty(fields.Predecessor) ? null : fields.Predecessor;
        if (predecessor is not null && await FindAsync(predecessor, caller, firmwares) is null)
        {
            return Problems.Field("predecessor", "No such firmware in this organisation.");
        }

        await using var content = upload.OpenContent();
        var view = await catalog.AddAsync(
            new FirmwareDraft(caller.Organisation, fields.Version, fields.Alias, fields.Dest, fields.Description ?? "", predecessor, upload.MediaType),
            content,
            context.RequestAborted);
        var resource = FirmwareResource.From(context, view);
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<Results<Ok<FirmwareResource>, NotFoundProblem>> Get(string id, Caller caller, HttpContext context, FirmwareIndex firmwares) =>
        await FindAsync(id, caller, firmwares) is { } view ? TypedResults.Ok(FirmwareResource.From(context, view)) : Problems.NotFound();

    private static async Task<Results<NoContent, NotFoundProblem, ConflictProblem>> Delete(string id, Caller caller, FirmwareIndex firmwares)
    {
        if (await FindAsync(id, caller, firmwares) is not { } view)
        {
            return Problems.NotFound();
        }

        return await firmwares.DeleteUnlessDeployingAsync(view.Id)
            ? TypedResults.NoContent()
            : Problems.Conflict("An unfinished deployment rolls this firmware out; cancel it or let it finish first.");
    }

    /// <summary>The firmware of an id, if it is of the caller's organisation: every 404 of firmwares comes from here.</summary>
    internal static async Task<FirmwareView?> FindAsync(string id, Caller caller, FirmwareIndex firmwares) =>
        ShortIds.LooksValid(id) && await firmwares.GetAsync(id) is { } view && caller.CanSeeOrganisation(view.OrganisationId) ? view : null;
}
