using System.Threading.RateLimiting;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// A token bucket per device (System.Threading.RateLimiting, which retires idle buckets by
/// itself). Asked only for devices that exist, so made-up ids cost no bucket.
/// </summary>
public sealed class DeviceRateLimiter(GatewayOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(device =>
        RateLimitPartition.GetTokenBucketLimiter(device, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.DeviceBurst),
            TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(options.DevicePerSecond / 10)),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, (int)Math.Ceiling(options.DevicePerSecond / 10)) / Math.Max(0.001, options.DevicePerSecond)),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when the device may go on; otherwise how long it should wait (the transport says so: Retry-After, Max-Age).</summary>
    public TimeSpan? Check(string deviceId)
    {
        using var lease = limiter.AttemptAcquire(deviceId);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => limiter.Dispose();
}
