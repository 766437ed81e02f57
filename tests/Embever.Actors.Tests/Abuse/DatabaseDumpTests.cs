using System.Diagnostics;
using System.Net;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Embever.Actors.Tests.Abuse;

/// <summary>
/// A dump or backup of the database alone opens nothing: every platform key in it is sealed under
/// the key-encryption key, which lives outside the database (the data directory's
/// <c>platform.key</c>, 0600, or a mounted secret). The dump is taken as an operator would:
/// <c>sqlite3 .dump</c> and <c>pg_dump</c>.
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
public sealed class DatabaseDumpTests
{
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task A_dump_holds_no_platform_key_in_the_clear(StoreKind kind)
    {
        var store = await StoreUnderTest.CreateAsync(kind);
        List<byte[]> secrets;
        await using (var platform = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments))
        {
            // Something signed and a device with a sealed password, so the keys are in use.
            var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
            var device = await session.CreateDeviceAsync("dumped");
            var keys = platform.Services.GetRequiredService<PlatformKeys>();
            secrets = [.. keys.SigningKeys.Keys.Select(k => k.Key), keys.DtlsCookieKey, System.Text.Encoding.UTF8.GetBytes(device["password"]!.GetValue<string>())];
            await platform.StopAsync();
        }

        var dump = kind == StoreKind.Sqlite
            ? Shell("sqlite3", $"{Path.Combine(store.DataDirectory, "embever.db")} .dump")
            : (await PostgresServer.GetAsync()).Dump(store.ConnectionString!);
        Assert.Contains("platform_secrets", dump);
        Assert.Contains("sealed:", dump);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(Convert.ToBase64String(secret), dump);
            Assert.DoesNotContain(Convert.ToHexString(secret), dump, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(System.Text.Encoding.Latin1.GetString(secret), dump);
        }

        // The key that opens them is in the data directory, readable by its owner only.
        var keyFile = Path.Combine(store.DataDirectory, "platform.key");
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
    }

    [Fact]
    public async Task A_silo_given_another_key_encryption_key_refuses_to_start_and_says_why()
    {
        var store = await StoreUnderTest.CreateAsync(StoreKind.Sqlite);
        await using (var platform = await PlatformInstance.StartAsync(store, PlatformFixture.FastArguments))
        {
            Assert.Equal(HttpStatusCode.OK, (await platform.CreateClient().GetAsync("/health")).StatusCode);
            await platform.StopAsync();
        }

        var other = Path.Combine(store.DataDirectory, "other.key");
        await File.WriteAllTextAsync(other, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var refusal = await Assert.ThrowsAnyAsync<Exception>(() => PlatformInstance.StartAsync(store, [.. PlatformFixture.FastArguments, $"--Embever:Keys:File={other}"]));
        Assert.Contains("sealed under key-encryption key", refusal.ToString());

        // During a rotation the old key is the previous one: the platform starts and seals everything under the new key.
        await using var rotated = await PlatformInstance.StartAsync(store, [.. PlatformFixture.FastArguments, $"--Embever:Keys:File={other}", $"--Embever:Keys:PreviousFile={Path.Combine(store.DataDirectory, "platform.key")}"]);
        var session = await ApiSession.AuthenticateAsync(rotated, rotated.ReadTokenFile("org-token"));
        Assert.Equal(HttpStatusCode.OK, (await session.Get("/v2/devices/")).StatusCode);
        await rotated.StopAsync();
        await using var after = await PlatformInstance.StartAsync(store, [.. PlatformFixture.FastArguments, $"--Embever:Keys:File={other}"]);
        Assert.Equal(HttpStatusCode.OK, (await (await ApiSession.AuthenticateAsync(after, after.ReadTokenFile("org-token"))).Get("/v2/devices/")).StatusCode);
    }

    private static string Shell(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Result;
    }
}
