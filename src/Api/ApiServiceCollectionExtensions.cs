using Embever.Actors.Api.Actions;
using Embever.Actors.Api.Applications;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Coap;
using Embever.Actors.Api.Deployments;
using Embever.Actors.Api.Devices;
using Embever.Actors.Api.Diagnostics;
using Embever.Actors.Api.Events;
using Embever.Actors.Api.Firmware;
using Embever.Actors.Api.Gateway;
using Embever.Actors.Api.Health;
using Embever.Actors.Api.Http;
using Embever.Actors.Api.Keys;
using Embever.Actors.Api.Organisations;
using Embever.Actors.Api.Root;
using Embever.Actors.Api.Tokens;
using Embever.Actors.Api.Webhooks;
using Embever.Actors.Webhooks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace Embever.Actors.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>What every silo needs, HTTP or not: token issuing (first start) and webhook bodies (dispatchers).</summary>
    public static IServiceCollection AddEmbeverCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Embever:Auth").Get<AuthOptions>() ?? new AuthOptions());
        services.AddSingleton(configuration.GetSection("Embever:Gateway").Get<GatewayOptions>() ?? new GatewayOptions());
        services.AddSingleton(configuration.GetSection("Embever:Lists").Get<ListOptions>() ?? new ListOptions());
        services.AddSingleton<FailedAttempts>();
        services.AddHostedService<SigningKeyRefresh>();
        services.Configure<LimitsOptions>(configuration.GetSection("Embever:Limits"));
        services.AddSingleton<PayloadLimits>();
        services.AddSingleton<DeviceSource>();
        services.AddSingleton<DeviceRateLimiter>();
        services.AddSingleton<ExchangeConcurrency>();
        services.AddSingleton<DeviceGateway>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<JwtService>();
        services.AddSingleton<TokenIssuer>();
        return services;
    }

    /// <summary>JSON, problem details, token authentication, OpenAPI and the API's own services.</summary>
    public static IServiceCollection AddEmbeverApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEmbeverCore(configuration);
        services.ConfigureHttpJsonOptions(options => Platform.ApiJson.Configure(options.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<StoreBusyExceptionHandler>();
        services.AddAuthentication(AccessTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AccessTokenAuthenticationHandler>(AccessTokenAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, OperatorAuthentication>(OperatorAuthentication.SchemeName, null);
        services.AddAuthorization(OperatorAuthentication.AddPolicy);
        services.AddRateLimiter(RateLimits.Configure);
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [HealthApi.Ready]);
        services.AddOpenApi(options => ApiDocument.Configure(options));
        services.AddCoapGateway(configuration);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Behind the compose file's proxy (or any other) URLs follow the client's view.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
        });
        return services;
    }

    /// <summary>The middleware and every endpoint of <c>/v2</c>, health and the API reference.</summary>
    public static WebApplication UseEmbeverApi(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseNulCharacterGuard();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapHealthApi();
        app.MapEntryPointApi();
        app.MapAuthenticateApi();
        app.MapOrganisationsApi();
        app.MapApplicationsApi();
        app.MapTokensApi();
        app.MapDeviceImportApi();
        app.MapDevicesApi();
        app.MapActionsApi();
        app.MapEventsApi();
        app.MapFirmwaresApi();
        app.MapDeploymentsApi();
        app.MapUpdatesApi();
        app.MapWebhookDeliveriesApi();
        app.MapDiagnosticsApi();
        app.MapSigningKeysApi();
        app.MapGatewayApi();
        return app;
    }
}
