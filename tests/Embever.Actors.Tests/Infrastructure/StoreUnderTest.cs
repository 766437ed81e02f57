using Embever.Actors.Storage;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>A fresh, empty store for one fixture: a SQLite file in a temp folder, or a new PostgreSQL database.</summary>
public sealed record StoreUnderTest(StoreKind Kind, string DataDirectory, string? ConnectionString)
{
    public static async Task<StoreUnderTest> CreateAsync(StoreKind kind)
    {
        var directory = NewDirectory();
        var connectionString = kind == StoreKind.PostgreSql ? await (await PostgresServer.GetAsync()).CreateDatabaseAsync() : null;
        return new StoreUnderTest(kind, directory, connectionString);
    }

    /// <summary>A store holding what an older release left: a copy of a SQLite file, or a restored PostgreSQL dump.</summary>
    public static async Task<StoreUnderTest> FromFixtureAsync(StoreKind kind, string fixtureDirectory)
    {
        var store = kind == StoreKind.PostgreSql
            ? new StoreUnderTest(kind, NewDirectory(), await (await PostgresServer.GetAsync()).RestoreAsync(Path.Combine(fixtureDirectory, "embever.sql")))
            : new StoreUnderTest(kind, NewDirectory(), null);
        if (kind == StoreKind.Sqlite)
        {
            File.Copy(Path.Combine(fixtureDirectory, "embever.db"), Path.Combine(store.DataDirectory, "embever.db"));
        }

        foreach (var token in new[] { "operator-token", "org-token" })
        {
            File.Copy(Path.Combine(fixtureDirectory, token), Path.Combine(store.DataDirectory, token));
        }

        return store;
    }

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"embever-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        return directory;
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
