using System.Threading.RateLimiting;
using Embever.Actors.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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

    public static void Configure(RateLimiterOptions limiter) =>
        limiter.AddPolicy(Policy, context =>
        {
            var options = context.RequestServices.GetRequiredService<AuthOptions>();
            return RateLimitPartition.GetTokenBucketLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => RateLimits.Bucket(options.AuthenticatePerSecond, options.AuthenticateBurst));
        });

    public static ProblemHttpResult Refusal() =>
        Problems.TooManyRequests("Too many authentication attempts from this address; wait as Retry-After says.");
}
