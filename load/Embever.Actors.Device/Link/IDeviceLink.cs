using System.Text.Json.Nodes;

namespace Embever.Actors.Device.Link;

/// <summary>One device's way to the gateway: the exchange of a wakeup and file downloads, over HTTP or CoAP.</summary>
public interface IDeviceLink : IDisposable
{
    WireCounter Wire { get; }

    /// <summary>One exchange: the request and the answer in their JSON form (long keys), whatever went over the wire.</summary>
    Task<JsonObject> ExchangeAsync(JsonObject request);

    /// <summary>Downloads a file from <paramref name="offset"/> on (a resumed download); returns the file's ETag.</summary>
    Task<string> DownloadAsync(string fileId, Stream destination, long offset);

    /// <summary>The start of a wakeup: what a device keeps across sleeps (a DTLS session) stays, a TCP connection does not.</summary>
    void Wake();
}
