using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Embever.Actors.Tests.Domain;

/// <summary>The schema migrator and the id allocator, against real SQLite and PostgreSQL.</summary>
public abstract class StorageTests(StoreKind kind)
{
    [Fact]
    public async Task The_schema_applies_again_and_concurrently_without_failing()
    {
        var database = (await StoreUnderTest.CreateAsync(kind)).Database;
        var migrator = new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => migrator.ApplyAsync(CancellationToken.None)));
        await migrator.ApplyAsync(CancellationToken.None);
        var queries = await database.ScalarAsync<long>("SELECT count(*) FROM OrleansQuery");
        Assert.True(queries >= 11, $"only {queries} Orleans queries");
        Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM devices"));
    }

    [Fact]
    public async Task Id_blocks_give_unique_increasing_ids_across_allocators_without_reuse()
    {
        var database = (await StoreUnderTest.CreateAsync(kind)).Database;
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).ApplyAsync(CancellationToken.None);
        var first = new IdBlockAllocator(database, blockSize: 10);
        var second = new IdBlockAllocator(database, blockSize: 10);
        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? first : second).NextAsync("test").AsTask()));
        Assert.Equal(200, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 1, 1L << 53));

        // A restarted allocator never hands out an id given before.
        var restarted = new IdBlockAllocator(database, blockSize: 10);
        Assert.True(await restarted.NextAsync("test") > ids.Max());
        var reserved = await database.ScalarAsync<long>("SELECT next_value FROM id_sequences WHERE name = 'test'");
        Assert.Equal(1 + (21 * 10), reserved);
    }

    [Fact]
    public async Task Platform_keys_are_made_once_and_shared_by_every_loader()
    {
        var database = (await StoreUnderTest.CreateAsync(kind)).Database;
        await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).ApplyAsync(CancellationToken.None);
        var loaders = Enumerable.Range(0, 4).Select(_ => new PlatformKeys()).ToList();
        await Task.WhenAll(loaders.Select(k => k.LoadAsync(database, CancellationToken.None)));
        Assert.All(loaders, k => Assert.Equal(loaders[0].SigningKey, k.SigningKey));
        var hash = loaders[0].Hasher.Hash("secret");
        Assert.All(loaders, k => Assert.True(k.Hasher.Matches("secret", hash)));
    }
}

public sealed class StorageOnSqlite() : StorageTests(StoreKind.Sqlite);

public sealed class StorageOnPostgres() : StorageTests(StoreKind.PostgreSql);
