using Embever.Actors.Devices;
using Embever.Actors.Files;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// The device gateway's work, one code path for every transport (HTTP: <see cref="GatewayApi"/>;
/// CoAP: <c>CoapGateway</c>). An id that names no device is refused after one cached lookup
/// (<see cref="DeviceDirectory"/>), before any grain is activated or any byte of the body is
/// read; a known device is held to its rate (<see cref="DeviceRateLimiter"/>) and waits for its
/// turn (<see cref="ExchangeConcurrency"/>); then each request is one call to the device's grain,
/// which checks the password.
/// </summary>
public sealed class DeviceGateway(IGrainFactory grains, DeviceDirectory directory, DeviceRateLimiter limiter, ExchangeConcurrency concurrency, FileStore files)
{
    /// <summary>Reads the body once the device is admitted; null when it is bad (the reader keeps its own problem to answer).</summary>
    public delegate ValueTask<ExchangeRequest?> BodyReader();

    public async Task<ExchangeResult> ExchangeAsync(DeviceCredentials? credentials, BodyReader read, string transport, CancellationToken cancellationToken)
    {
        var result = await ExchangeCoreAsync(credentials, read, cancellationToken);
        PlatformMetrics.Exchanges.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("outcome", result.Outcome.Label()));
        return result;
    }

    /// <summary>Finds a file this device may download; <paramref name="counted"/> is false for the later blocks of a CoAP download (the first one counted).</summary>
    public async Task<FileResult> FindFileAsync(DeviceCredentials? credentials, string id, bool counted = true)
    {
        if (await AdmitAsync(credentials, counted) is { } refusal)
        {
            return new FileResult(refusal.Outcome, null, null, refusal.RetryAfter);
        }

        var (deviceId, password) = credentials!.Value;
        var permission = Platform.ShortIds.LooksValid(id)
            ? await grains.GetGrain<IDeviceGrain>(deviceId).MayDownload(password, id)
            : DownloadPermission.NotFound;
        if (permission == DownloadPermission.Unauthorized)
        {
            return new FileResult(GatewayOutcome.Unauthorized, null, null, TimeSpan.Zero);
        }

        return permission == DownloadPermission.Allowed && await files.GetAsync(id) is { } file && await files.Blobs.GetAsync(file.Sha256) is { } blob
            ? new FileResult(GatewayOutcome.Ok, file, blob, TimeSpan.Zero)
            : new FileResult(GatewayOutcome.NotFound, null, null, TimeSpan.Zero);
    }

    public Task CopyAsync(BlobInfo blob, long offset, long length, Stream destination, CancellationToken cancellationToken) =>
        files.Blobs.CopyToAsync(blob, offset, length, destination, cancellationToken);

    private async Task<ExchangeResult> ExchangeCoreAsync(DeviceCredentials? credentials, BodyReader read, CancellationToken cancellationToken)
    {
        if (await AdmitAsync(credentials, counted: true) is { } refusal)
        {
            return refusal;
        }

        using var turn = await concurrency.EnterAsync(cancellationToken);
        if (!turn.IsAcquired)
        {
            return new ExchangeResult(GatewayOutcome.Busy, null, TimeSpan.FromSeconds(1));
        }

        // The body is read only now: an unknown or over-eager device costs no reading and no parsing.
        if (await read() is not { } request)
        {
            return new ExchangeResult(GatewayOutcome.Invalid, null, TimeSpan.Zero);
        }

        var (deviceId, password) = credentials!.Value;
        var answer = await grains.GetGrain<IDeviceGrain>(deviceId).Exchange(password, request.ToExchange());
        return answer is null
            ? new ExchangeResult(GatewayOutcome.Unauthorized, null, TimeSpan.Zero)
            : new ExchangeResult(GatewayOutcome.Ok, answer, TimeSpan.Zero);
    }

    private async ValueTask<ExchangeResult?> AdmitAsync(DeviceCredentials? credentials, bool counted)
    {
        if (credentials is not { } known || !await directory.ExistsAsync(known.DeviceId))
        {
            return new ExchangeResult(GatewayOutcome.Unauthorized, null, TimeSpan.Zero);
        }

        return counted && limiter.Check(known.DeviceId) is { } wait
            ? new ExchangeResult(GatewayOutcome.RateLimited, null, wait)
            : null;
    }
}

/// <summary>An exchange's outcome; <see cref="Answer"/> when it is <see cref="GatewayOutcome.Ok"/>, <see cref="RetryAfter"/> when the device is told to wait.</summary>
public sealed record ExchangeResult(GatewayOutcome Outcome, ExchangeAnswer? Answer, TimeSpan RetryAfter);

/// <summary>A download's outcome; the file and its content when it is <see cref="GatewayOutcome.Ok"/>.</summary>
public sealed record FileResult(GatewayOutcome Outcome, FileRecord? File, BlobInfo? Blob, TimeSpan RetryAfter);
