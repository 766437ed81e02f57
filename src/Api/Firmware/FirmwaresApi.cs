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
        group.MapGet("/", List).Produces<List<FirmwareResource>>()
            .WithName("listFirmwares").WithSummary("List the organisation's firmwares")
            .WithDescription("Oldest first, with version, destination, size and SHA-256.");
        group.MapPost("/", Create).Produces<FirmwareResource>(201).ProducesValidationProblem().DisableAntiforgery()
            .WithName("uploadFirmware").WithSummary("Upload a firmware image (multipart)")
            .WithDescription("multipart/form-data: the image in `file`, with `version`, `alias`, `dest`, `description` and optionally `predecessor`. The image is stored once per content (SHA-256).");
        group.MapGet("/{id}/", Get).Produces<FirmwareResource>().ProducesProblem(404)
            .WithName("getFirmware").WithSummary("Get a firmware")
            .WithDescription("Its metadata; devices download the image through the gateway.");
        group.MapDelete("/{id}/", Delete).Produces(204).ProducesProblem(404).ProducesProblem(409)
            .WithName("deleteFirmware").WithSummary("Delete a firmware no unfinished deployment rolls out")
            .WithDescription("Refused (409) while an unfinished deployment rolls it out.");
        return routes;
    }

    private static async Task<IResult> List(HttpContext context, FirmwareIndex firmwares)
    {
        return await Paging.ListAsync(context, page => firmwares.ListAsync(context.GetCaller().Organisation, page), f => FirmwareResource.From(context, f));
    }

    private static async Task<IResult> Create(HttpContext context, FirmwareIndex firmwares, FirmwareCatalog catalog)
    {
        var (upload, problem) = await FirmwareUpload.ReadAsync(context.Request);
        if (upload is null)
        {
            return problem!;
        }

        var organisation = context.GetCaller().Organisation;
        if (upload.Predecessor is { } predecessor && (await firmwares.GetAsync(predecessor))?.OrganisationId != organisation)
        {
            return Problems.Field("predecessor", "No such firmware in this organisation.");
        }

        await using var content = upload.OpenContent();
        var view = await catalog.AddAsync(
            new FirmwareDraft(organisation, upload.Version, upload.Alias, upload.Dest, upload.Description, upload.Predecessor, upload.MediaType),
            content,
            context.RequestAborted);
        var resource = FirmwareResource.From(context, view);
        return TypedResults.Created(resource.Url, resource);
    }

    private static async Task<IResult> Get(HttpContext context, string id, FirmwareIndex firmwares)
    {
        var view = await Visible(context, id, firmwares);
        return view is null ? Problems.NotFound() : TypedResults.Ok(FirmwareResource.From(context, view));
    }

    private static async Task<IResult> Delete(HttpContext context, string id, FirmwareIndex firmwares)
    {
        var view = await Visible(context, id, firmwares);
        if (view is null)
        {
            return Problems.NotFound();
        }

        return await firmwares.DeleteUnlessDeployingAsync(view.Id)
            ? TypedResults.NoContent()
            : Problems.Conflict("An unfinished deployment rolls this firmware out; cancel it or let it finish first.");
    }

    internal static async Task<FirmwareView?> Visible(HttpContext context, string id, FirmwareIndex firmwares) =>
        ShortIds.LooksValid(id) && await firmwares.GetAsync(id) is { } view && context.GetCaller().CanSeeOrganisation(view.OrganisationId) ? view : null;
}
