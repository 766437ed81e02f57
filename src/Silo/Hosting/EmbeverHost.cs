using Embever.Actors.Api;

namespace Embever.Actors.Silo.Hosting;

/// <summary>Builds the platform process; Program.cs and the end-to-end tests both start it this way.</summary>
public static class EmbeverHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        customize?.Invoke(builder);

        var options = builder.Configuration.GetSection("Embever").Get<EmbeverOptions>() ?? new EmbeverOptions();
        ApplyWebhookDefaults(options, builder.Configuration);
        var database = DatabaseSetup.Create(options, builder.Configuration);
        builder.Services.AddSingleton(options);

        builder.UseOrleans(silo => silo.ConfigureEmbeverSilo(options, database));
        builder.Services.AddEmbeverApi(builder.Configuration);
        builder.Services.AddHostedService<FirstStart>();

        var app = builder.Build();
        app.UseEmbeverApi();
        return app;
    }

    /// <summary>
    /// The embedded default may deliver webhooks to the local network (a laptop's receiver);
    /// cluster mode may not, unless configured. Bodies link to where this silo serves HTTP.
    /// </summary>
    private static void ApplyWebhookDefaults(EmbeverOptions options, IConfiguration configuration)
    {
        if (configuration["Embever:Webhooks:AllowPrivateNetworks"] is null)
        {
            options.Webhooks.AllowPrivateNetworks = options.StoreKind == Storage.StoreKind.Sqlite;
        }

        if (configuration["Embever:Webhooks:PublicUrl"] is null && configuration["Urls"]?.Split(';')[0] is { Length: > 0 } url)
        {
            options.Webhooks.PublicUrl = url.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        }
    }
}
