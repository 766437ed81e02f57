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

    /// <summary>The query for the caller's devices; null when a filter matches nothing.</summary>
    public DeviceQuery? ToQuery(TenantScope scope) =>
        QueryIds.TryParse<Guid>(Application, out var application) && QueryIds.TryParse<bool>(Activated, out var activated)
            ? new DeviceQuery(scope, Type, Name, application, activated)
            : null;
}
