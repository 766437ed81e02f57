using System.Text.Json;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Applications;
using Embever.Actors.Devices;
using Embever.Actors.Platform;
using Embever.Actors.Security;
using Embever.Actors.Storage;

namespace Embever.Actors.Api.Devices;

/// <summary>
/// <c>POST /v2/devices/import/</c> (an addition): provisions up to 10,000 devices in one request,
/// all or nothing, for factory lines and fleet migrations; one import at a time per silo (a few
/// wait; more are answered 503 with <c>Retry-After</c>). Each device's grain adopts its
/// row when it first activates. Answers the ids and one-time passwords, in request order.
/// </summary>
public static class DeviceImportApi
{
    public static IEndpointRouteBuilder MapDeviceImportApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v2/devices/import/", Import).WithTags("Devices").RequireAuthorization().ForOrganisationTokens()
                .WithName("importDevices").WithSummary("Create up to 10,000 devices, all or nothing (passwords shown once)")
                .WithDescription("Names in, ids and passwords out (shown once), all or nothing: a taken name refuses the whole import (409). Imports run one at a time; when several already wait, 503 with Retry-After.");
        return routes;
    }

    private static async Task<Results<Created<List<ImportedDevice>>, ConflictProblem>> Import(
        ImportDevicesRequest request, Caller caller, HttpContext context, DeviceCreator creator)
    {
        var names = request.Devices.Select(d => d.Name).ToList();
        var passwords = names.Select(_ => Secrets.New()).ToList();
        var result = await creator.ImportAsync(caller.Organisation, request.Application, request.Activated, names.Select((name, i) => (name, passwords[i])).ToList());
        if (result.Taken.Count > 0)
        {
            return Problems.Conflict($"Device names already in use: {string.Join(", ", result.Taken.Take(50))}.", new Dictionary<string, object?> { ["names"] = result.Taken });
        }

        if (result.Imported is not { } imported)
        {
            return Problems.Conflict("A name or id was taken while importing; nothing was imported. Try again.");
        }

        return TypedResults.Created(
            ResourceUrls.Collection(context, "devices"),
            imported.Select((d, i) => new ImportedDevice(ResourceUrls.Of(context, "devices", d.Id), d.Id, d.Name, passwords[i])).ToList());
    }
}

/// <summary>An imported device: its id and its password, shown this once.</summary>
public sealed record ImportedDevice(string Url, string Id, string Name, string Password);
