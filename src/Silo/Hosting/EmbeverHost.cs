using Embever.Actors.Api;

namespace Embever.Actors.Silo.Hosting;

/// <summary>Builds the platform process; Program.cs and the end-to-end tests both start it this way.</summary>
public static class EmbeverHost
{
    public static IHost Build(string[] args, Action<IHostApplicationBuilder>? customize = null)
    {
        // No file watching for configuration changes: the watcher sees every write the data
        // directory gets (SQLite's WAL) and cost a tenth of the CPU in a wake storm. The content
        // root is where the silo's files are (its appsettings.json), wherever the command is run
        // from; the data directory stays relative to the working directory.
        args = ["--hostBuilder:reloadConfigOnChange=false", .. args];
        if (!HttpEnabled(args))
        {
            var grainsOnly = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
            customize?.Invoke(grainsOnly);
            AddPlatform(grainsOnly);
            grainsOnly.Services.AddEmbeverCore(grainsOnly.Configuration);
            return grainsOnly.Build();
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        customize?.Invoke(builder);
        AddPlatform(builder);
        builder.Services.AddEmbeverApi(builder.Configuration);
        var app = builder.Build();
        app.UseEmbeverApi();
        app.MapEmbeverOperations(app.Services.GetRequiredService<EmbeverOptions>());
        return app;
    }

    /// <summary>The silo, its storage and the first-start bootstrap: the same with or without HTTP.</summary>
    private static void AddPlatform(IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Embever").Get<EmbeverOptions>() ?? new EmbeverOptions();
        ApplyWebhookDefaults(options, builder.Configuration);
        var database = DatabaseSetup.Create(options, builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.UseOrleans(silo => silo.ConfigureEmbeverSilo(options, database));
        builder.AddEmbeverTelemetry(options);
        builder.Services.AddHealthChecks().AddCheck<MembershipHealthCheck>("membership", tags: [Api.Health.HealthApi.Ready]);
        builder.Services.AddSingleton<FirstStart>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FirstStart>());
        builder.Services.AddHostedService<StartupBanner>();
    }

    /// <summary><c>Embever:HttpEnabled</c>, read before choosing what kind of host to build.</summary>
    private static bool HttpEnabled(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        return configuration.GetValue("Embever:HttpEnabled", true);
    }

    /// <summary>
    /// The embedded default may deliver webhooks to this host (a laptop's receiver); cluster mode
    /// may not, and neither reaches private or link-local networks, unless configured. Bodies link to where this silo serves HTTP.
    /// </summary>
    private static void ApplyWebhookDefaults(EmbeverOptions options, IConfiguration configuration)
    {
        if (configuration["Embever:Webhooks:AllowLoopback"] is null)
        {
            options.Webhooks.AllowLoopback = options.StoreKind == Storage.StoreKind.Sqlite;
        }

        if (configuration["Embever:Webhooks:PublicUrl"] is null && configuration["Urls"]?.Split(';')[0] is { Length: > 0 } url)
        {
            options.Webhooks.PublicUrl = url.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        }
    }
}
