namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// Several silo processes on one throwaway PostgreSQL database, each with its own ports and data
/// directory, failure detection tuned to seconds. Silos can be killed, restarted and added.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly string connectionString;
    private readonly string clusterId = $"test-{Guid.NewGuid():N}";

    /// <summary>Every silo's key-encryption key, as a mounted secret would be: one file for all.</summary>
    private readonly string keyFile = WriteKeyFile();
    private readonly Dictionary<string, (int Http, int Silo, int Gateway, int Coaps, string Data)> slots = [];

    private LocalCluster(string connectionString) => this.connectionString = connectionString;

    public List<SiloProcess> Silos { get; } = [];

    /// <summary>Silos that have not been killed or stopped.</summary>
    public IReadOnlyList<SiloProcess> Live => Silos.Where(s => !s.HasExited).ToList();

    public static async Task<LocalCluster> StartAsync(int silos)
    {
        var cluster = new LocalCluster(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
        // All at once: the schema migration must cope with silos starting together on an empty database.
        var started = Enumerable.Range(0, silos).Select(i => cluster.Launch($"silo-{i}")).ToList();
        await Task.WhenAll(started.Select(s => s.WaitReadyAsync()));
        return cluster;
    }

    /// <summary>Starts a silo under a name; a name used before gets its old ports and data directory back.</summary>
    public SiloProcess Launch(string name)
    {
        if (!slots.TryGetValue(name, out var slot))
        {
            var data = Path.Combine(Path.GetTempPath(), $"embever-silo-{Guid.NewGuid():N}");
            Directory.CreateDirectory(data);
            slots[name] = slot = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), data);
        }

        var silo = SiloProcess.Start(name, slot.Http,
        [
            "--Embever:Storage=PostgreSQL",
            $"--Embever:ConnectionString={connectionString}",
            $"--Embever:ClusterId={clusterId}",
            $"--Embever:SiloPort={slot.Silo}",
            $"--Embever:GatewayPort={slot.Gateway}",
            $"--Embever:Coap:SecurePort={slot.Coaps}",
            "--Embever:AdvertisedAddress=127.0.0.1",
            $"--Embever:DataDirectory={slot.Data}",
            $"--Embever:Keys:File={keyFile}",
            "--Embever:FailureDetectionTime=00:00:06",
            .. PlatformFixture.FastArguments,
        ]);
        Silos.RemoveAll(s => s.Name == name);
        Silos.Add(silo);
        return silo;
    }

    private static string WriteKeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"embever-cluster-key-{Guid.NewGuid():N}");
        File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        return path;
    }

    /// <summary>The coaps:// port of a silo (the same across its restarts).</summary>
    public int CoapsPort(string name) => slots[name].Coaps;

    /// <summary>The first-start organisation token, from whichever silo won the bootstrap.</summary>
    public string OrganisationToken() =>
        slots.Values.Select(s => Path.Combine(s.Data, "org-token")).Where(File.Exists).Select(File.ReadAllText).Single();

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }
    }
}
