using System.Net;
using System.Net.Sockets;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Cluster;

/// <summary>What an operator sees when the silo process starts: a banner when it is ready, one line when a port is taken.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StartupTests
{
    [Fact]
    public async Task A_first_start_prints_a_banner_with_the_api_the_reference_and_the_token_files()
    {
        var data = Path.Combine(Path.GetTempPath(), $"embever-start-{Guid.NewGuid():N}");
        var http = FreePorts.Next();
        await using var silo = SiloProcess.Start("banner", http, [$"--Embever:DataDirectory={data}", $"--Embever:SiloPort={FreePorts.Next()}", $"--Embever:GatewayPort={FreePorts.Next()}"]);
        await silo.WaitReadyAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!silo.RecentLog.Contains("Reference", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var log = silo.RecentLog;
        Assert.Contains("embedded default (SQLite", log);
        Assert.Contains($"API        http://127.0.0.1:{http}/v2/", log);
        Assert.Contains($"Reference  http://127.0.0.1:{http}/scalar/v1", log);
        Assert.Contains(Path.Combine(data, "operator-token"), log);
        Assert.Contains(Path.Combine(data, "org-token"), log);
    }

    [Fact]
    public async Task A_first_start_with_the_shipped_settings_says_what_it_must_in_fewer_than_40_lines()
    {
        var data = Path.Combine(Path.GetTempPath(), $"embever-quiet-{Guid.NewGuid():N}");
        var http = FreePorts.Next();
        await using var silo = SiloProcess.Start("shipped", http, [$"--Embever:DataDirectory={data}", $"--Embever:SiloPort={FreePorts.Next()}", $"--Embever:GatewayPort={FreePorts.Next()}"], quiet: false);
        await silo.WaitReadyAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!silo.RecentLog.Contains("Application started", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var lines = silo.RecentLog.Split('\n');
        var ready = Array.FindIndex(lines, l => l.Contains("Application started", StringComparison.Ordinal));
        Assert.InRange(ready + 1, 1, 39);
        var log = silo.RecentLog;
        Assert.Contains($"Reference  http://127.0.0.1:{http}/scalar/v1", log);
        Assert.Contains($"Dashboard  http://127.0.0.1:{http}/dashboard/", log);
        Assert.Contains(Path.Combine(data, "org-token"), log);
        Assert.DoesNotContain("warn:", log);
        Assert.DoesNotContain("deadlock", log);
    }

    [Theory]
    [InlineData("silo", "--Embever:SiloPort=<port>")]
    [InlineData("gateway", "--Embever:GatewayPort=<port>")]
    [InlineData("http", "--Urls=http://localhost:<port>")]
    public async Task A_port_that_is_taken_ends_the_start_with_one_line_naming_it_and_its_setting(string which, string setting)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;
        var (silo, gateway, http) = (which == "silo" ? taken : FreePorts.Next(), which == "gateway" ? taken : FreePorts.Next(), which == "http" ? taken : FreePorts.Next());
        var data = Path.Combine(Path.GetTempPath(), $"embever-port-{Guid.NewGuid():N}");
        await using var process = SiloProcess.Start("taken", http, [$"--Embever:DataDirectory={data}", $"--Embever:SiloPort={silo}", $"--Embever:GatewayPort={gateway}"]);

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Task.Delay(200);
        var lines = process.RecentLog.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains($"port {taken} is already in use", line);
        Assert.Contains(setting, line);
    }

    [Fact]
    public async Task A_taken_coap_port_ends_the_start_with_one_line_naming_it_and_its_setting()
    {
        using var holder = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Any, 0));
        var taken = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var data = Path.Combine(Path.GetTempPath(), $"embever-port-{Guid.NewGuid():N}");
        await using var process = SiloProcess.Start(
            "udp-taken", FreePorts.Next(), [$"--Embever:DataDirectory={data}", $"--Embever:SiloPort={FreePorts.Next()}", $"--Embever:GatewayPort={FreePorts.Next()}", $"--Embever:Coap:SecurePort={taken}"]);

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Task.Delay(200);
        var line = Assert.Single(process.RecentLog.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"UDP port {taken} (CoAP) is already in use", line);
        Assert.Contains("--Embever:Coap:SecurePort=<port>", line);
    }
}
