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
/// <c>POST /v2/devices/import/</c> (an addition): provisions up to 10,000 devices in one request
/// and one transaction, for factory lines and fleet migrations. Each device's grain adopts its
/// row when it first activates. Answers the ids and one-time passwords, in request order.
/// </summary>
public static class DeviceImportApi
{
    public static IEndpointRouteBuilder MapDeviceImportApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v2/devices/import/", Import).WithTags("Devices").RequireAuthorization().ForOrganisationTokens()
                .WithName("importDevices").WithSummary("Create up to 10,000 devices in one transaction (passwords shown once)")
                .WithDescription("Names in, ids and passwords out (shown once), all in one transaction: a taken name refuses the whole import (409).");
        return routes;
    }

    private static async Task<Results<Created<List<ImportedDevice>>, ConflictProblem>> Import(
        ImportDevicesRequest request, Caller caller, HttpContext context, DeviceIndex index, DeviceCreator creator)
    {
        var names = request.Devices.Select(d => d.Name).ToList();
        var taken = await index.TakenNamesAsync(caller.Organisation, names);
        if (taken.Count > 0)
        {
            return Problems.Conflict($"Device names already in use: {string.Join(", ", taken.Take(50))}.", new Dictionary<string, object?> { ["names"] = taken });
        }

        var passwords = names.Select(_ => Secrets.New()).ToList();
        var imported = await creator.ImportAsync(caller.Organisation, request.Application, request.Activated, names.Select((name, i) => (name, passwords[i])).ToList());
        if (imported is null)
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
