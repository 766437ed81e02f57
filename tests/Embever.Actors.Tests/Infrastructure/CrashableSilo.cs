using Embever.Actors.Storage;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// One silo process on a store (the embedded default on SQLite, or one silo on PostgreSQL) that
/// can be killed with SIGKILL and started again on the same store, data directory and ports.
/// </summary>
public sealed class CrashableSilo : IAsyncDisposable
{
    private readonly StoreUnderTest store;
    private readonly int http = FreePorts.Next();
    private readonly int silo = FreePorts.Next();
    private readonly int gateway = FreePorts.Next();

    private readonly string[] extra;

    private CrashableSilo(StoreUnderTest store, string[] extra)
    {
        this.store = store;
        this.extra = extra;
    }

    public SiloProcess Process { get; private set; } = null!;

    public Uri BaseAddress => Process.BaseAddress;

    public StoreUnderTest Store => store;

    /// <summary>Starts a silo; <paramref name="extra"/> settings come last, so they win over the test defaults.</summary>
    public static async Task<CrashableSilo> StartAsync(StoreKind kind, params string[] extra)
    {
        var crashable = new CrashableSilo(await StoreUnderTest.CreateAsync(kind), extra);
        await crashable.RestartAsync();
        return crashable;
    }

    public string ReadTokenFile(string name) => File.ReadAllText(Path.Combine(store.DataDirectory, name)).Trim();

    /// <summary>An API session with the first start's organisation token.</summary>
    public Task<ApiSession> SessionAsync() => ApiSession.AuthenticateAsync(BaseAddress, ReadTokenFile("org-token"));

    /// <summary>SIGKILL: no shutdown, no flush, as on a power cut of the process.</summary>
    public void Kill() => Process.Kill();

    public async Task RestartAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        Process = SiloProcess.Start("crashable", http,
        [
            .. store.Arguments(),
            $"--Embever:SiloPort={silo}",
            $"--Embever:GatewayPort={gateway}",
            "--Embever:AdvertisedAddress=127.0.0.1",
            "--Embever:FailureDetectionTime=00:00:03",
            .. PlatformFixture.FastArguments,
            .. extra,
        ]);
        await Process.WaitReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
    }
}
