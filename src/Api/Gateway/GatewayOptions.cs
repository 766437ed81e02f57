namespace Embever.Actors.Api.Gateway;

/// <summary>How much one device, and all of them together, may ask of the gateway (section <c>Embever:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>Requests a device may make at once (exchanges and downloads together) …</summary>
    public int DeviceBurst { get; set; } = 30;

    /// <summary>… refilled at this many per second; beyond it 429 with <c>Retry-After</c>. A sleepy device needs a few a day.</summary>
    public double DevicePerSecond { get; set; } = 5;

    /// <summary>Exchanges this silo works on at once; more wait (see <see cref="ExchangeConcurrency"/>).</summary>
    public int MaxConcurrentExchanges { get; set; } = 64;

    /// <summary>Exchanges that may wait for their turn; beyond it 503 with <c>Retry-After</c>.</summary>
    public int ExchangeQueue { get; set; } = 20_000;
}
