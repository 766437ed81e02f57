namespace Embever.Actors.Api.Gateway;

/// <summary>How much one device, and all of them together, may ask of the gateway (section <c>Embever:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>Requests a device may make at once (exchanges and downloads together) …</summary>
    public int DeviceBurst { get; set; } = 30;

    /// <summary>… refilled at this many per second; beyond it 429 with <c>Retry-After</c>. A sleepy device needs a few a day.</summary>
    public double DevicePerSecond { get; set; } = 5;

    /// <summary>
    /// Failed credential checks (no or wrong credentials, an unknown id) one address may make
    /// per <see cref="FailedAttemptsWindow"/>; beyond it the address gets 429 whatever id it
    /// names, while devices whose password checks out go on. The device's own budget is never
    /// charged for them.
    /// </summary>
    public int FailedAttemptsPerAddress { get; set; } = 20;

    /// <summary>The same for a whole /24 (IPv4) or /64 (IPv6): many devices share a carrier's NAT, so it is larger.</summary>
    public int FailedAttemptsPerNetwork { get; set; } = 200;

    /// <summary>Over which a spent failure budget refills.</summary>
    public TimeSpan FailedAttemptsWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Networks of the proxies in front of the HTTP gateway (CIDR, e.g. <c>172.16.0.0/12</c>):
    /// from them, a device's address is taken from <c>X-Forwarded-For</c>. Empty by default: the
    /// header is ignored and the connection's address counts.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Exchanges this silo works on at once; more wait (see <see cref="ExchangeConcurrency"/>).</summary>
    public int MaxConcurrentExchanges { get; set; } = 64;

    /// <summary>Exchanges that may wait for their turn; beyond it 503 with <c>Retry-After</c>.</summary>
    public int ExchangeQueue { get; set; } = 20_000;
}
