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
            return new Database(StoreKind.PostgreSql, connectionString, options.Commit, options.Store);
        }

        // Microsoft.Data.Sqlite is synchronous underneath its async methods: our reads, lists and
        // commits run on the store's own threads (its lanes), but the Orleans providers' calls
        // (reminders, grain storage) block thread-pool threads; keep a few more ready than the
        // cores so that those never starve request handling while the pool grows.
        ThreadPool.GetMinThreads(out var workers, out var completion);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(completion, 16));

        var sqlite = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new Database(StoreKind.Sqlite, sqlite.ConnectionString, options.Commit, options.Store);
    }
}
