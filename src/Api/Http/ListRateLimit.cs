using System.Threading.RateLimiting;
using Embever.Actors.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;

namespace Embever.Actors.Api.Http;

/// <summary>
/// Every list endpoint (<c>GET</c> of a collection) draws from one token bucket per silo
/// (<see cref="ListOptions"/>): lists are management traffic, and a caller paging as fast as it
/// can must not take the cores the waking fleet needs. Beyond the rate: 503 with
/// <c>Retry-After</c> and a problem naming the resource, the answer of a full list queue too,
/// given before the store is asked anything.
/// </summary>
public static class ListRateLimit
{
    public const string Policy = "lists";
    public const string Resource = "list rate";

    public static void Configure(RateLimiterOptions limiter) =>
        limiter.AddPolicy(Policy, context =>
        {
            var options = context.RequestServices.GetRequiredService<ListOptions>();
            return RateLimitPartition.GetTokenBucketLimiter(Policy, _ => RateLimits.Bucket(options.PerSecond, options.Burst ?? (int)Math.Ceiling(options.PerSecond)));
        });

    public static ProblemHttpResult Refusal()
    {
        PlatformMetrics.StoreRefused.Add(1, new KeyValuePair<string, object?>("lane", Resource));
        return Problems.Busy("More list pages were asked of this silo than it serves a second; try again as Retry-After says.", Resource);
    }
}
