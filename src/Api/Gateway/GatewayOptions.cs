namespace Embever.Actors.Api.Gateway;

/// <summary>How much one device may ask of the gateway (section <c>Embever:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>Requests a device may make at once (exchanges and downloads together) …</summary>
    public int DeviceBurst { get; set; } = 30;

    /// <summary>… refilled at this many per second; beyond it 429 with <c>Retry-After</c>. A sleepy device needs a few a day.</summary>
    public double DevicePerSecond { get; set; } = 5;
}
