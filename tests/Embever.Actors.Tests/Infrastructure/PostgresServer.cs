using System.Diagnostics;
using Npgsql;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for this test run: initdb + pg_ctl on a temp directory and a
/// free loopback port, run as the <c>postgres</c> user when we are root. Each fixture gets its
/// own database from <see cref="CreateDatabaseAsync"/>; the server is stopped when the run ends.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private readonly string binaries;
    private readonly string directory;
    private int databases;

    private PostgresServer(string binaries, string directory, int port)
    {
        this.binaries = binaries;
        this.directory = directory;
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    public int Port { get; }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50;Timeout=30";

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"embever_test_{Interlocked.Increment(ref databases)}_{Environment.ProcessId}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>A new database restored from a plain <c>pg_dump</c> file with the server's own <c>psql</c>.</summary>
    public async Task<string> RestoreAsync(string dumpFile)
    {
        var connectionString = await CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        Run(Path.Combine(binaries, "psql"), $"-q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {Port} -U postgres -d {database} -f {dumpFile}", asPostgres: false);
        return connectionString;
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var binaries = FindBinaries();
        var directory = Path.Combine(Path.GetTempPath(), $"embever-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var runAsPostgres = Environment.UserName == "root";
        if (runAsPostgres)
        {
            Run("chown", $"postgres {directory}", asPostgres: false);
        }

        var data = Path.Combine(directory, "data");
        Run(Path.Combine(binaries, "initdb"), $"-D {data} -U postgres -A trust --no-sync -E UTF8", runAsPostgres);
        var port = FreePorts.Next();
        var options = $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        Run(Path.Combine(binaries, "pg_ctl"), $"-D {data} -l {Path.Combine(directory, "log")} -o \"{options}\" -w -t 60 start", runAsPostgres);
        var server = new PostgresServer(binaries, directory, port);
        await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
        await connection.OpenAsync();
        return server;
    }

    private void Stop()
    {
        try
        {
            Run(Path.Combine(binaries, "pg_ctl"), $"-D {Path.Combine(directory, "data")} -m immediate stop", Environment.UserName == "root");
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException)
        {
            // The run is ending; a leftover temp directory is all that can go wrong.
        }
    }

    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found under /usr/lib/postgresql; run the README's test command, which installs Debian's postgresql package.");
    }

    /// <summary>A plain <c>pg_dump</c> of a database, as a backup would hold it.</summary>
    public string Dump(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        var file = Path.Combine(Path.GetTempPath(), $"embever-dump-{Guid.NewGuid():N}.sql");
        Run(Path.Combine(binaries, "pg_dump"), $"-h 127.0.0.1 -p {Port} -U postgres -f {file} {database}", asPostgres: false);
        return File.ReadAllText(file);
    }

    private static void Run(string file, string arguments, bool asPostgres)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {output.Result}{error.Result}");
        }
    }
}
