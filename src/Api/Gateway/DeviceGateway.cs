using System.Net;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Files;
using Embever.Actors.Telemetry;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// The device gateway's work, one code path for every transport (HTTP: <see cref="GatewayApi"/>;
/// CoAP: <c>CoapGateway</c>). Credentials first: they are checked (<see cref="DeviceDirectory"/>)
/// before any grain is activated or any byte of the body is read, and a failure is charged to
/// the address it came from (<see cref="FailedAttempts"/>), never to the device; only a device
/// whose password checked out is held to its own rate (<see cref="DeviceRateLimiter"/>) and
/// waits for its turn (<see cref="ExchangeConcurrency"/>); then each request is one call to the
/// device's grain. No credentials, an unknown id and a wrong password are answered alike.
/// </summary>
public sealed class DeviceGateway(IGrainFactory grains, DeviceDirectory directory, FailedAttempts failures, DeviceRateLimiter limiter, ExchangeConcurrency concurrency, PayloadLimits limits, FileStore files)
{
    /// <summary>Reads the body once the device is admitted; null when it is bad (the reader keeps its own problem to answer).</summary>
    public delegate ValueTask<ExchangeRequest?> BodyReader();

    /// <summary>One exchange; <paramref name="source"/> is the address the request came from.</summary>
    public async Task<ExchangeResult> ExchangeAsync(DeviceCredentials? credentials, IPAddress? source, BodyReader read, string transport, CancellationToken cancellationToken)
    {
        var result = await ExchangeCoreAsync(credentials, source, read, cancellationToken);
        PlatformMetrics.Exchanges.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("outcome", result.Outcome.Label()));
        return result;
    }

    /// <summary>Finds a file this device may download; <paramref name="counted"/> is false for the later blocks of a CoAP download (the first one counted).</summary>
    public async Task<FileResult> FindFileAsync(DeviceCredentials? credentials, IPAddress? source, string id, bool counted = true)
    {
        if (await AdmitAsync(credentials, source, counted) is ({ } refusal, _))
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

    private async Task<ExchangeResult> ExchangeCoreAsync(DeviceCredentials? credentials, IPAddress? source, BodyReader read, CancellationToken cancellationToken)
    {
        var (refusal, organisation) = await AdmitAsync(credentials, source, counted: true);
        if (refusal is not null)
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

        if (request.EventBytes is var size && size > limits.For(organisation))
        {
            return new ExchangeResult(GatewayOutcome.TooLarge, null, TimeSpan.Zero, $"The events are {size} bytes of JSON; the limit is {limits.For(organisation)} bytes (Embever:Limits:PayloadBytes).");
        }

        var (deviceId, password) = credentials!.Value;
        var answer = await grains.GetGrain<IDeviceGrain>(deviceId).Exchange(password, request.ToExchange());
        return answer is null
            ? new ExchangeResult(GatewayOutcome.Unauthorized, null, TimeSpan.Zero)
            : new ExchangeResult(GatewayOutcome.Ok, answer, TimeSpan.Zero);
    }

    /// <summary>A refusal, or null and the device's organisation.</summary>
    private async ValueTask<(ExchangeResult? Refusal, Guid Organisation)> AdmitAsync(DeviceCredentials? credentials, IPAddress? source, bool counted)
    {
        CredentialCheck? check;
        var organisation = Guid.Empty;
        if (failures.Throttled(source) is { } wait)
        {
            // A source that keeps failing is checked against remembered hashes only (no lookup):
            // a device it shares a NAT with goes on; everything else waits, whatever id it names.
            (check, organisation) = credentials is { } given ? await directory.VerifyAsync(given.DeviceId, given.Password, rememberedOnly: true) : ((CredentialCheck?)null, Guid.Empty);
            if (check != CredentialCheck.Verified)
            {
                return (Refuse("source_throttled", GatewayOutcome.RateLimited, wait), organisation);
            }
        }
        else
        {
            (check, organisation) = credentials is { } given ? await directory.VerifyAsync(given.DeviceId, given.Password) : ((CredentialCheck?)null, Guid.Empty);
            if (check != CredentialCheck.Verified)
            {
                failures.Charge(source);
                return (Refuse(check switch { null => "no_credentials", CredentialCheck.UnknownDevice => "unknown_device", _ => "wrong_password" }, GatewayOutcome.Unauthorized, TimeSpan.Zero), organisation);
            }
        }

        return counted && limiter.Check(credentials!.Value.DeviceId) is { } deviceWait
            ? (Refuse("device_rate_limited", GatewayOutcome.RateLimited, deviceWait), organisation)
            : (null, organisation);
    }

    private static ExchangeResult Refuse(string reason, GatewayOutcome outcome, TimeSpan retryAfter)
    {
        PlatformMetrics.GatewayRefusals.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return new ExchangeResult(outcome, null, retryAfter);
    }
}

/// <summary>An exchange's outcome; <see cref="Answer"/> when it is <see cref="GatewayOutcome.Ok"/>, <see cref="RetryAfter"/> when the device is told to wait, <see cref="Detail"/> what was too large.</summary>
public sealed record ExchangeResult(GatewayOutcome Outcome, ExchangeAnswer? Answer, TimeSpan RetryAfter, string? Detail = null);

/// <summary>A download's outcome; the file and its content when it is <see cref="GatewayOutcome.Ok"/>.</summary>
public sealed record FileResult(GatewayOutcome Outcome, FileRecord? File, BlobInfo? Blob, TimeSpan RetryAfter);
