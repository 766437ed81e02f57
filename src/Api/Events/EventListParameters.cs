using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Embever.Actors.Api.Events;

/// <summary>The filters of <c>GET /v2/events/</c>.</summary>
public sealed record EventListParameters
{
    [FromQuery(Name = "type"), Description("Only events of this type.")]
    public string? Type { get; init; }

    [FromQuery(Name = "device"), Description("Only events of this device (its id).")]
    public string? Device { get; init; }
}
