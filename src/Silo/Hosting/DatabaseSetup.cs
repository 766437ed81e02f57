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
        if (options.StoreKind == StoreKind.PostgreSql)
        {
            var connectionString = options.ConnectionString ?? configuration.GetConnectionString("Embever")
                ?? throw new InvalidOperationException("Cluster mode needs Embever:ConnectionString (or ConnectionStrings:Embever).");
            return new Database(StoreKind.PostgreSql, connectionString);
        }

        Directory.CreateDirectory(options.FullDataDirectory);
        var sqlite = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(options.FullDataDirectory, "embever.db"),
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new Database(StoreKind.Sqlite, sqlite.ConnectionString);
    }
}
