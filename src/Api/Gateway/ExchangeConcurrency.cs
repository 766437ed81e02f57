using System.Threading.RateLimiting;

namespace Embever.Actors.Api.Gateway;

/// <summary>
/// How many exchanges this silo works on at once (<see cref="GatewayOptions.MaxConcurrentExchanges"/>);
/// the rest wait their turn, oldest first, without costing anything but their connection. In a
/// wake storm thousands of devices are in flight; admitting them all would let them take the
/// machine from everything else that runs beside them — the webhook deliveries above all, which
/// would then fall behind exactly when the fleet wakes. A full queue is answered "busy" (HTTP 503
/// with <c>Retry-After</c>, CoAP 5.03 with Max-Age).
/// </summary>
public sealed class ExchangeConcurrency(GatewayOptions options) : IDisposable
{
    private readonly ConcurrencyLimiter limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = Math.Max(1, options.MaxConcurrentExchanges),
        QueueLimit = Math.Max(0, options.ExchangeQueue),
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => limiter.Dispose();
}
