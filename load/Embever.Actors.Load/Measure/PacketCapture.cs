using System.Diagnostics;

namespace Embever.Actors.Load.Measure;

/// <summary>
/// What the loopback interface carried to and from some ports while it ran, as tcpdump saw it:
/// packets, and bytes from the IP header on (what a cellular link carries, before its own
/// framing). tcpdump prints each frame's length (<c>-e</c>); its pcap files stay empty in some
/// sandboxes, its lines do not. Needs tcpdump and the right to capture; without them
/// <see cref="StartAsync"/> gives null.
/// </summary>
public sealed partial class PacketCapture : IAsyncDisposable
{
    /// <summary>Linux's loopback frames carry an Ethernet header; a radio link has none.</summary>
    private const int LinkHeader = 14;

    private readonly Process process;
    private readonly Task<string> lines;

    private PacketCapture(Process process)
    {
        this.process = process;
        lines = process.StandardOutput.ReadToEndAsync();
    }

    public static async Task<PacketCapture?> StartAsync(IEnumerable<int> ports)
    {
        var start = new ProcessStartInfo("tcpdump") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-Z", "root", "-i", "lo", "-l", "-e", "-n", string.Join(" or ", ports.Distinct().Select(p => $"port {p}"))])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        // tcpdump says "listening on lo" once it captures.
        string? line;
        do
        {
            line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        while (line is not null && !line.StartsWith("listening on", StringComparison.Ordinal) && !line.Contains("rror", StringComparison.Ordinal));

        if (line is null || !line.StartsWith("listening on", StringComparison.Ordinal))
        {
            process.Kill();
            process.Dispose();
            return null;
        }

        _ = process.StandardError.ReadToEndAsync();
        return new PacketCapture(process);
    }

    /// <summary>Stops capturing and counts what was captured.</summary>
    public async Task<(long Packets, long Bytes)> StopAsync()
    {
        await Task.Delay(300);
        using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        long packets = 0, bytes = 0;
        foreach (var line in (await lines.WaitAsync(TimeSpan.FromSeconds(10))).Split('\n'))
        {
            if (FrameLength().Match(line) is { Success: true } match)
            {
                packets++;
                bytes += int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - LinkHeader;
            }
        }

        return (packets, bytes);
    }

    public ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>"…, ethertype IPv4 (0x0800), length 47: 127.0.0.1.58353 > …": the frame's length.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"ethertype IPv[46] \(0x[0-9a-f]+\), length (\d+):")]
    private static partial System.Text.RegularExpressions.Regex FrameLength();
}
