using System.Diagnostics;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// libcoap's <c>coap-client-openssl</c> (Debian <c>libcoap3-bin</c>, installed by tests/run.sh):
/// a CoAP client nobody here wrote. Its exit code says nothing of the answer (0 for 4.xx and
/// for no answer at all), so a run gives what it printed: the payload (with <c>-o</c>, the exact
/// bytes), and the code of an error answer, which it writes to stderr.
/// </summary>
public static class CoapCli
{
    public const string Program = "coap-client-openssl";

    public static async Task<Result> RunAsync(params string[] arguments)
    {
        var output = Path.Combine(Path.GetTempPath(), $"coap-{Guid.NewGuid():N}.out");
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // -B: how long the client waits for the whole transfer; a 200 KB image is 1,000 block
        // exchanges at 256 bytes, which a loaded 2-core CI machine may take longer than 8 s for.
        foreach (var argument in (string[])["-v", "0", "-B", "30", "-o", output, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"{Program} is not installed: tests/run.sh installs it (apt-get install libcoap3-bin).", exception);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            var payload = File.Exists(output) ? await File.ReadAllBytesAsync(output) : [];
            File.Delete(output);
            return new Result(payload, (await stderr).Trim(), (await stdout).Trim());
        }
    }

    /// <summary>What the client printed: the answer's payload, and on stderr the code of an error answer ("4.01 …").</summary>
    public sealed record Result(byte[] Payload, string Error, string Log)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Payload);
    }
}
