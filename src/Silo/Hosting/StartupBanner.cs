using System.Reflection;
using Embever.Actors.Api.Root;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// Once the silo is ready, one short block says what runs and where: the version, the store,
/// the URLs of the API, its reference, the dashboard, the metrics and the CoAP gateway, and the first-start token
/// files when this start made them.
/// </summary>
public sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    EmbeverOptions options,
    FirstStart firstStart,
    ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var version = typeof(StartupBanner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "dev";
        var store = options.StoreKind == Storage.StoreKind.Sqlite
            ? $"embedded default (SQLite, {Path.Combine(options.FullDataDirectory, "embever.db")})"
            : "cluster mode (PostgreSQL)";
        var lines = new List<string> { $"Embever Actors {version}, {store}" };
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses.Select(a => a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal).TrimEnd('/')))
        {
            lines.Add($"  API        {address}/v2/");
            lines.Add($"  Reference  {address}{EntryPointApi.ReferencePath}");
            if (options.Telemetry.Dashboard)
            {
                lines.Add($"  Dashboard  {address}/dashboard/ (user operator, the operator token as password)");
            }

            if (options.Telemetry.Prometheus)
            {
                lines.Add($"  Metrics    {address}/metrics (the same credentials)");
            }
        }

        // The CoAP gateway's UDP ports, as bound (a port of 0 took a free one).
        if (services.GetService<Api.Coap.Dtls.DtlsEndpoint>() is { } secure)
        {
            lines.Add($"  CoAP       coaps://localhost:{secure.Port} (DTLS, PSK: the device id and its password)");
        }

        if (services.GetService<Api.Coap.PlainCoapEndpoint>() is { } plain)
        {
            lines.Add($"  CoAP       coap://localhost:{plain.Port}?d=<device id>&p=<password> (no DTLS: development only)");
        }

        if (addresses.Count == 0)
        {
            lines.Add("  HTTP       off (Embever:HttpEnabled=false): this silo hosts grains only");
        }

        if (firstStart.CreatedFiles.Count > 0)
        {
            lines.Add($"  Tokens     {string.Join(", ", firstStart.CreatedFiles)} (made by this first start; keep them secret)");
        }

        LogBanner(string.Join(Environment.NewLine, lines));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Banner}")]
    private partial void LogBanner(string banner);
}
