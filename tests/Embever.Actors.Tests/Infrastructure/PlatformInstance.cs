using Embever.Actors.Silo.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// The real platform (silo + Kestrel on a free loopback port) built exactly as Program.cs builds
/// it, on a given store. Stop it and start another on the same store to test durability.
/// </summary>
public sealed class PlatformInstance : IAsyncDisposable
{
    private readonly IHost app;
    private bool stopped;

    private PlatformInstance(IHost app, StoreUnderTest store, Uri baseAddress)
    {
        this.app = app;
        Store = store;
        BaseAddress = baseAddress;
    }

    public StoreUnderTest Store { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => app.Services;

    public static Task<PlatformInstance> StartAsync(StoreUnderTest store, params string[] extraArguments) =>
        StartAsync(store, null, extraArguments);

    /// <summary>The platform with something added to its host (an exporter to look at its traces).</summary>
    public static async Task<PlatformInstance> StartAsync(StoreUnderTest store, Action<IHostApplicationBuilder>? customize, params string[] extraArguments)
    {
        string[] arguments =
        [
            "--urls=http://127.0.0.1:0",
            $"--Embever:SiloPort={FreePorts.Next()}",
            $"--Embever:GatewayPort={FreePorts.Next()}",
            "--Embever:Coap:SecurePort=0",
            .. store.Arguments(),
            .. extraArguments,
        ];
        var app = EmbeverHost.Build(arguments, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            customize?.Invoke(builder);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PlatformInstance(app, store, new Uri(address));
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public string ReadTokenFile(string name) => File.ReadAllText(Path.Combine(Store.DataDirectory, name));

    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        await app.StopAsync();
        if (app is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            app.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
