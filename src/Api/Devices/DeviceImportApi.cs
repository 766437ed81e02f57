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
    public const int MaxDevices = 10_000;

    public static IEndpointRouteBuilder MapDeviceImportApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v2/devices/import/", Import).WithTags("Devices").RequireAuthorization().ForOrganisationTokens()
            .Produces<List<ImportedDevice>>(201).ProducesValidationProblem().ProducesProblem(409)
            
                .WithName("importDevices").WithSummary("Create up to 10,000 devices in one transaction (passwords shown once)")
                .WithDescription("Names in, ids and passwords out (shown once), all in one transaction: a taken name refuses the whole import (409).");
        return routes;
    }

    private static async Task<IResult> Import(HttpContext context, DeviceIndex index, DeviceCreator creator, IGrainFactory grains, PlatformKeys keys)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request, 16 * 1024 * 1024);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new JsonFields(body).Allow("devices", "application", "activated");
        var application = fields.Uuid("application");
        var activated = fields.Bool("activated") ?? false;
        var names = ReadNames(fields);
        var organisation = context.GetCaller().Organisation;
        if (application is { } applicationId && (await grains.GetGrain<IApplicationGrain>(applicationId).Get())?.OrganisationId != organisation)
        {
            fields.Error("application", "No such application in this organisation.");
        }

        if (!fields.IsValid)
        {
            return fields.Problem();
        }

        var taken = await index.TakenNamesAsync(organisation, names!);
        if (taken.Count > 0)
        {
            return Problems.Conflict($"Device names already in use: {string.Join(", ", taken.Take(50))}.", new Dictionary<string, object?> { ["names"] = taken });
        }

        var passwords = names!.Select(_ => Secrets.New()).ToList();
        var imported = await creator.ImportAsync(organisation, application, activated, names!.Select((name, i) => (name, keys.Hasher.Hash(passwords[i]))).ToList());
        if (imported is null)
        {
            return Problems.Conflict("A name or id was taken while importing; nothing was imported. Try again.");
        }

        return TypedResults.Created(
            ResourceUrls.Collection(context, "devices"),
            imported.Select((d, i) => new ImportedDevice(ResourceUrls.Of(context, "devices", d.Id), d.Id, d.Name, passwords[i])).ToList());
    }

    private static List<string>? ReadNames(JsonFields fields)
    {
        if (!fields.Body.TryGetProperty("devices", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() is 0 or > MaxDevices)
        {
            fields.Error("devices", $"Required: an array of 1 to {MaxDevices} {{\"name\": …}} objects.");
            return null;
        }

        var names = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || name.GetString() is not { Length: > 0 and <= 255 } text || text.Trim().Length == 0 || item.EnumerateObject().Count() != 1)
            {
                fields.Error("devices", "Every device is {\"name\": \"<1 to 255 characters, not only blanks>\"}.");
                return null;
            }

            names.Add(text);
        }

        if (names.Distinct().Count() != names.Count)
        {
            fields.Error("devices", "Names must be unique.");
            return null;
        }

        return names;
    }
}

public sealed record ImportedDevice(string Url, string Id, string Name, string Password);
