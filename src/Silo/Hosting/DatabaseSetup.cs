using Embever.Actors.Storage;
using Microsoft.Data.Sqlite;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// Chooses the database from configuration. The Orleans providers resolve the invariant
/// themselves ("System.Data.SQLite" loads Microsoft.Data.Sqlite, "Npgsql" loads Npgsql).
/// </summary>
public static class DatabaseSetup
{
    public static Database Create(EmbeverOptions options, IConfiguration configuration)
    {
        var file = Path.Combine(options.FullDataDirectory, "embever.db");
        DataDirectory.Secure(options.FullDataDirectory, options.StoreKind == StoreKind.Sqlite ? file : null);
        if (options.StoreKind == StoreKind.PostgreSql)
        {
            var connectionString = options.ConnectionString ?? configuration.GetConnectionString("Embever")
                ?? throw new InvalidOperationException("Cluster mode needs Embever:ConnectionString (or ConnectionStrings:Embever).");
            return new Database(StoreKind.PostgreSql, connectionString, options.Commit);
        }

        // Microsoft.Data.Sqlite is synchronous underneath its async methods, and a writer that
        // waits for SQLite's lock blocks its thread: keep enough threads ready that waiting
        // writers never starve request handling (the pool would add them only slowly).
        ThreadPool.GetMinThreads(out var workers, out var completion);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completion, 64));

        var sqlite = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new Database(StoreKind.Sqlite, sqlite.ConnectionString, options.Commit);
    }
}
