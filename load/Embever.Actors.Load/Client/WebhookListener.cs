using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Load.Client;

/// <summary>
/// Receives the platform's webhooks in the harness's process: Kestrel on <c>host</c>, a port the
/// system picks, every POST under <c>/hook</c> given to one handler.
/// </summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly WebApplication app;

    private WebhookListener(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<WebhookListener> StartAsync(string host, Func<HttpRequest, Task<IResult>> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:0");
        var app = builder.Build();
        app.MapPost("/hook/{**rest}", handle);
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new WebhookListener(app, port);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
