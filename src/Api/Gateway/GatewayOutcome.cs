namespace Embever.Actors.Api.Gateway;

/// <summary>
/// How a device's request went, whatever the transport: each transport answers it in its own
/// terms (HTTP 401/429/503/400, CoAP 4.01/4.29/5.03/4.00), and the metric
/// <c>embever_gateway_exchanges_total</c> counts it by the label given here.
/// </summary>
public enum GatewayOutcome
{
    Ok,
    Unauthorized,
    RateLimited,
    Busy,
    Invalid,
    NotFound,

    /// <summary>The events are over the device's organisation's payload limit (HTTP 413, CoAP 4.13).</summary>
    TooLarge,
}

public static class GatewayOutcomeLabels
{
    public static string Label(this GatewayOutcome outcome) => outcome switch
    {
        GatewayOutcome.Ok => "ok",
        GatewayOutcome.Unauthorized => "unauthorized",
        GatewayOutcome.RateLimited => "rate_limited",
        GatewayOutcome.Busy => "busy",
        GatewayOutcome.Invalid => "invalid",
        GatewayOutcome.TooLarge => "too_large",
        _ => "not_found",
    };
}
