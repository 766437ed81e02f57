using System.Globalization;
using System.Threading.RateLimiting;
using Embever.Actors.Api.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// <c>POST /v2/authenticate/</c> (and refresh) is what anyone can call: a token bucket per client
/// address (ASP.NET Core's rate limiter) answers a caller trying tokens in a loop with 429 and
/// <c>Retry-After</c>, before the body is read or a token checked.
/// </summary>
public static class AuthenticateRateLimit
{
    public const string Policy = "authenticate";

    public static void Configure(RateLimiterOptions limiter)
    {
        limiter.AddPolicy(Policy, context =>
        {
            var options = context.RequestServices.GetRequiredService<AuthOptions>();
            var rate = Math.Max(0.001, options.AuthenticatePerSecond);
            var tokens = Math.Max(1, (int)Math.Ceiling(rate / 10));
            return RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, options.AuthenticateBurst),
                TokensPerPeriod = tokens,
                ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / rate),
                QueueLimit = 0,
            });
        });
        limiter.OnRejected = async (rejected, cancellationToken) =>
        {
            var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Problems.TooManyRequests("Too many authentication attempts from this address; wait as Retry-After says.").ExecuteAsync(rejected.HttpContext);
        };
    }
}
