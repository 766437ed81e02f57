using System.Collections.Concurrent;
using System.Diagnostics;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// A silo as a separate OS process (the built <c>Embever.Actors.Silo.dll</c> run with <c>dotnet</c>),
/// with its own HTTP, silo and gateway ports. It can be killed (SIGKILL) or stopped (SIGTERM).
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> log = new();
    private readonly Process process;

    private SiloProcess(string name, Process process, int httpPort)
    {
        Name = name;
        this.process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public bool HasExited => process.HasExited;

    /// <summary>Waits for the process to end by itself and answers its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public string RecentLog => string.Join('\n', log);

    /// <summary>Starts the built silo; <paramref name="quiet"/> keeps its log to warnings (and ours), else it logs as shipped.</summary>
    public static SiloProcess Start(string name, int httpPort, IEnumerable<string> arguments, bool quiet = true)
    {
        var directory = SiloBuildDirectory();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(directory, "Embever.Actors.Silo.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{httpPort}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Any free UDP port for the CoAP gateway: silos of parallel tests must not meet on 5684.
        start.Environment["Embever__Coap__SecurePort"] = "0";
        if (quiet)
        {
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Logging__LogLevel__Embever"] = "Information";
        }

        return new SiloProcess(name, Process.Start(start)!, httpPort);
    }

    /// <summary>Waits until <c>/ready</c> answers 200; fails with the silo's log if it exits or takes too long.</summary>
    public async Task WaitReadyAsync(TimeSpan? within = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"silo {Name} exited with {(process.HasExited ? process.ExitCode : 0)}:\n{RecentLog}");
            try
            {
                if ((await http.GetAsync("/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        Assert.Fail($"silo {Name} was not ready in time:\n{RecentLog}");
    }

    /// <summary>SIGKILL: the process dies at once, as on a crash.</summary>
    public void Kill() => process.Kill();

    /// <summary>SIGTERM, then waits for a graceful shutdown.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        log.Enqueue(line);
        while (log.Count > 200 && log.TryDequeue(out _))
        {
        }
    }

    /// <summary>The folder of Embever.Actors.sln, above the test's build output.</summary>
    public static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Embever.Actors.sln")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException("Embever.Actors.sln not found above the test directory.");
    }

    /// <summary>The Silo project's build output for this configuration (it has appsettings.json).</summary>
    private static string SiloBuildDirectory()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent!.Name;
        var directory = Path.Combine(RepositoryRoot(), "src", "Silo", "bin", configuration, framework);
        return File.Exists(Path.Combine(directory, "Embever.Actors.Silo.dll"))
            ? directory
            : throw new InvalidOperationException($"Build the solution first: {directory} has no Embever.Actors.Silo.dll.");
    }
}
