using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Abuse;

/// <summary>The data directory (keys in the database, first-start tokens) is readable by its owner only.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_new_data_directory_is_0700_with_every_file_0600_and_an_old_open_one_is_closed_at_start()
    {
        var store = await StoreUnderTest.CreateAsync(StoreKind.Sqlite);
        Directory.Delete(store.DataDirectory);
        await using (var platform = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments))
        {
            var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
            await session.CreateDeviceAsync("writes-the-wal");
            AssertPrivate(store.DataDirectory, "embever.db", "embever.db-wal", "embever.db-shm", "operator-token", "org-token");
        }

        // An installation made before the modes were set: everything world-readable.
        File.SetUnixFileMode(store.DataDirectory, (UnixFileMode)0b111_101_101);
        foreach (var file in Directory.EnumerateFiles(store.DataDirectory))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        }

        await using (var again = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments))
        {
            AssertPrivate(store.DataDirectory, "embever.db", "operator-token", "org-token");
        }
    }

    private static void AssertPrivate(string directory, params string[] files)
    {
        Assert.Equal(Private | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        foreach (var file in files)
        {
            var path = Path.Combine(directory, file);
            Assert.True(File.Exists(path), $"{file} is missing");
            Assert.Equal(Private, File.GetUnixFileMode(path));
        }

        Assert.All(Directory.EnumerateFiles(directory), path => Assert.Equal(Private, File.GetUnixFileMode(path)));
    }
}
