using Embever.Actors.Api.Auth;
using Embever.Actors.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// Metrics and traces with OpenTelemetry: ASP.NET Core, HttpClient (webhooks), the .NET
/// runtime, Orleans, Npgsql and the platform's own (<see cref="PlatformMetrics"/>,
/// <see cref="PlatformTracing"/>); a Prometheus scrape at <c>/metrics</c> and an OTLP exporter,
/// both from <see cref="TelemetryOptions"/>; and the Orleans dashboard at <c>/dashboard</c>. What
/// is not for tenants takes the operator's credentials (<see cref="OperatorAuthentication"/>).
/// </summary>
public static class TelemetrySetup
{
    public static void AddEmbeverTelemetry(this IHostApplicationBuilder builder, EmbeverOptions options)
    {
        var telemetry = options.Telemetry;
        var otlp = telemetry.OtlpEndpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("embever-actors", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PlatformMetrics.MeterName, "Npgsql").AddRuntimeInstrumentation();
                if (telemetry.OrleansMetrics)
                {
                    metrics.AddMeter("Microsoft.Orleans");
                }

                if (telemetry.HttpMetrics)
                {
                    metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                }
                if (telemetry.Prometheus)
                {
                    // Every scrape reads the counters afresh: scrapes are rare, and a cached one shows a past moment.
                    metrics.AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
                }
            });

        // Spans are made only when they go somewhere: every request and grain call would pay for them.
        if (telemetry.Tracing)
        {
            openTelemetry.WithTracing(tracing =>
            {
                tracing.AddSource(PlatformTracing.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "Npgsql")
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(telemetry.TraceSampleRatio)))
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsOperations(context.Request.Path))
                    .AddHttpClientInstrumentation();
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
                }
            });
        }
    }

    /// <summary><c>/metrics</c> and <c>/dashboard</c>, for the operator only, and outside the API document.</summary>
    public static void MapEmbeverOperations(this WebApplication app, EmbeverOptions options)
    {
        if (options.Telemetry.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(OperatorAuthentication.Policy).ExcludeFromDescription();
        }

        if (options.Telemetry.Dashboard)
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(OperatorAuthentication.Policy).ExcludeFromDescription();
        }
    }

    private static bool IsOperations(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/dashboard") || path.StartsWithSegments("/health") || path.StartsWithSegments("/ready");
}
