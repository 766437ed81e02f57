using System.Globalization;
using System.Threading.RateLimiting;
using Embever.Actors.Api.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace Embever.Actors.Api.Http;

/// <summary>
/// The request rate limits of <c>/v2</c> (ASP.NET Core's rate limiter): their token buckets, and
/// the answer to a request one of them turned away — <c>Retry-After</c> from the bucket, and the
/// problem of the policy that refused it (authentication: 429; lists: 503).
/// </summary>
public static class RateLimits
{
    public static void Configure(RateLimiterOptions limiter)
    {
        AuthenticateRateLimit.Configure(limiter);
        ListRateLimit.Configure(limiter);
        limiter.OnRejected = AnswerAsync;
    }

    /// <summary>A bucket of <paramref name="burst"/> refilled at <paramref name="perSecond"/>, in tenths of a second; no queue.</summary>
    public static TokenBucketRateLimiterOptions Bucket(double perSecond, int burst)
    {
        var rate = Math.Max(0.001, perSecond);
        var tokens = Math.Max(1, (int)Math.Ceiling(rate / 10));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / rate),
            QueueLimit = 0,
        };
    }

    private static async ValueTask AnswerAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        await (policy == ListRateLimit.Policy ? ListRateLimit.Refusal() : AuthenticateRateLimit.Refusal()).ExecuteAsync(context);
    }
}
