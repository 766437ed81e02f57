using Embever.Actors.Api.Coap.Dtls;

namespace Embever.Actors.Api.Coap;

public static class CoapServiceCollectionExtensions
{
    /// <summary>The CoAP gateway: DTLS on 5684 unless switched off, plain UDP on 5683 only when switched on.</summary>
    public static IServiceCollection AddCoapGateway(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Embever:Coap").Get<CoapOptions>() ?? new CoapOptions();
        services.AddSingleton(options);
        services.AddSingleton<RecentMessages>();
        services.AddSingleton<PskLookup>();
        services.AddSingleton<ExchangeBlocks>();
        services.AddSingleton<CoapGateway>();
        services.AddSingleton<CoapMessageLayer>();
        if (options.Secure)
        {
            services.AddSingleton<DtlsEndpoint>();
            services.AddHostedService(provider => provider.GetRequiredService<DtlsEndpoint>());
        }

        if (options.Plain)
        {
            services.AddSingleton<PlainCoapEndpoint>();
            services.AddHostedService(provider => provider.GetRequiredService<PlainCoapEndpoint>());
        }

        return services;
    }
}
