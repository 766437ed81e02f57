using Microsoft.Extensions.Logging;

namespace Embever.Actors.Platform;

/// <summary>
/// Retries a call to one of our grains when the silo it was addressed to has just gone away
/// (a rolling restart, a scale-in): the directory still pointed there, and a moment later the
/// grain lives elsewhere. Bounded (3 retries, 0.2–0.8 s apart) so an outage does not become a
/// retry storm. Our grain methods are idempotent for exactly this (creates carry their id,
/// reports repeat harmlessly), so a call that did run before the silo left does no harm again.
/// </summary>
public sealed partial class TransientGrainCallRetry(ILogger<TransientGrainCallRetry> logger) : IOutgoingGrainCallFilter
{
    private const int Retries = 3;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var ours = context.InterfaceMethod?.DeclaringType?.Namespace?.StartsWith("Embever.", StringComparison.Ordinal) == true;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await context.Invoke();
                return;
            }
            catch (Exception exception) when (ours && attempt < Retries && exception is SiloUnavailableException or OrleansMessageRejectionException)
            {
                LogRetry(context.InterfaceMethod?.Name, attempt + 1, exception.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 << attempt));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Method} (attempt {Attempt}): its silo went away ({Reason})")]
    private partial void LogRetry(string? method, int attempt, string reason);
}
