using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Embever.Actors.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>The outbox, the publisher (and <see cref="FiredWebhooks"/>, how grains hand deliveries to it), the sender with its guarded, resilient HttpClient, the targets it sends to, and the sweeper.</summary>
    public static IServiceCollection AddEmbeverWebhooks(this IServiceCollection services, WebhookOptions options)
    {
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookTargets>();
        services.AddTransient<TryCountingHandler>();
        services.AddSingleton<WebhookPublisher>();
        services.AddSingleton<FiredWebhooks>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookPublisher>());
        services.AddHostedService<WebhookSweeper>();
        var client = services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        client.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectCallback = NetworkGuard.Connect(options),
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = Math.Max(1, options.MaxInFlightPerTarget),
                ConnectTimeout = options.AttemptTimeout,
            });
        client.AddResilienceHandler("webhook-delivery", pipeline =>
            {
                pipeline.AddTimeout(options.TotalTimeout);
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(1, options.TransientRetries),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(200),
                    ShouldHandle = args => ValueTask.FromResult(
                        options.TransientRetries > 0
                        && WebhookSender.Find<WebhookTargetRefusedException>(args.Outcome.Exception) is null
                        && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            });

        // Added after the resilience handler, so it is inside it and sees every retry.
        client.AddHttpMessageHandler<TryCountingHandler>();
        return services;
    }
}
