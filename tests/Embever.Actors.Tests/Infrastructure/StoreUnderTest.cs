using Embever.Actors.Storage;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>A fresh, empty store for one fixture: a SQLite file in a temp folder, or a new PostgreSQL database.</summary>
public sealed record StoreUnderTest(StoreKind Kind, string DataDirectory, string? ConnectionString)
{
    public static async Task<StoreUnderTest> CreateAsync(StoreKind kind)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"embever-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var connectionString = kind == StoreKind.PostgreSql ? await (await PostgresServer.GetAsync()).CreateDatabaseAsync() : null;
        return new StoreUnderTest(kind, directory, connectionString);
    }

    private Database? database;

    /// <summary>One <see cref="Database"/> (one connection pool) per store.</summary>
    public Database Database => database ??= Kind == StoreKind.PostgreSql
        ? new Database(Kind, ConnectionString!)
        : new Database(Kind, $"Data Source={Path.Combine(DataDirectory, "embever.db")};Default Timeout=30");

    public string[] Arguments() =>
    [
        $"--Embever:DataDirectory={DataDirectory}",
        $"--Embever:Storage={Kind}",
        .. ConnectionString is null ? Array.Empty<string>() : [$"--Embever:ConnectionString={ConnectionString}"],
    ];
}
