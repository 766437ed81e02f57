using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Operations;

/// <summary>
/// A silo process of its own (SQLite) for the operator's tests: its metrics count only what the
/// tests did (a silo in this test process would count every other test's work too).
/// </summary>
public sealed class OperatedSilo : IAsyncLifetime
{
    public SiloProcess Silo { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"embever-operated-{Guid.NewGuid():N}");

    public string OperatorToken => File.ReadAllText(Path.Combine(DataDirectory, "operator-token")).Trim();

    /// <summary>The CoAP over DTLS gateway, on the free UDP port the silo took (its banner names it).</summary>
    public Uri Coaps { get; private set; } = null!;

    public string OrganisationToken => File.ReadAllText(Path.Combine(DataDirectory, "org-token")).Trim();

    /// <summary>HTTP Basic with the operator token as the password, as a browser or Prometheus sends it.</summary>
    public HttpClient OperatorBasic(string? token = null)
    {
        var http = new HttpClient { BaseAddress = Silo.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"operator:{token ?? OperatorToken}")));
        return http;
    }

    public async Task InitializeAsync()
    {
        Silo = SiloProcess.Start("operated", FreePorts.Next(),
        [
            $"--Embever:DataDirectory={DataDirectory}", $"--Embever:SiloPort={FreePorts.Next()}", $"--Embever:GatewayPort={FreePorts.Next()}",
            "--Embever:Webhooks:AllowLoopback=true",
        ]);
        await Silo.WaitReadyAsync();
        var port = System.Text.RegularExpressions.Regex.Match(Silo.RecentLog, @"coaps://localhost:(\d+)");
        Assert.True(port.Success, $"no CoAP port in the banner:\n{Silo.RecentLog}");
        Coaps = new Uri($"coaps://127.0.0.1:{port.Groups[1].Value}");
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
