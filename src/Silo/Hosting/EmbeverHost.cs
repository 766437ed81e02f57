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
        var database = DatabaseSetup.Create(options, builder.Configuration);
        builder.Services.AddSingleton(options);

        builder.UseOrleans(silo => silo.ConfigureEmbeverSilo(options, database));
        builder.Services.AddEmbeverApi(builder.Configuration);
        builder.Services.AddHostedService<FirstStart>();

        var app = builder.Build();
        app.UseEmbeverApi();
        return app;
    }
}
