using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Embever.Actors.Api.Actions;

/// <summary>The filters of <c>GET /v2/actions/</c>.</summary>
public sealed record ActionListParameters
{
    [FromQuery(Name = "type"), Description("Only actions of this type.")]
    public string? Type { get; init; }

    [FromQuery(Name = "device"), Description("Only actions of this device (its id).")]
    public string? Device { get; init; }
}
