using System.ComponentModel;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Storage.Index;
using Microsoft.AspNetCore.Mvc;

namespace Embever.Actors.Api.Devices;

/// <summary>The filters of <c>GET /v2/devices/</c>.</summary>
public sealed record DeviceListParameters
{
    [FromQuery(Name = "type"), Description("Only devices of this type.")]
    public string? Type { get; init; }

    [FromQuery(Name = "name"), Description("Only the device of this name.")]
    public string? Name { get; init; }

    [FromQuery(Name = "application"), Description("Only devices of this application (a UUID).")]
    public string? Application { get; init; }

    [FromQuery(Name = "activated"), Description("Only devices in (true) or out of (false) service.")]
    public string? Activated { get; init; }

    /// <summary>The query for the caller's devices, or the 400 naming what is malformed.</summary>
    public (DeviceQuery? Query, ValidationProblem? Problem) ToQuery(TenantScope scope)
    {
        var errors = new FieldErrors();
        QueryIds.Parse<Guid>(Application, "application", errors, out var application);
        QueryIds.Parse<bool>(Activated, "activated", errors, out var activated);
        return errors.IsEmpty ? (new DeviceQuery(scope, Type, Name, application, activated), null) : (null, errors.Problem());
    }
}
