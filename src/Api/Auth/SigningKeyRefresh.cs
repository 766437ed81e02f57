using Embever.Actors.Storage;
using Microsoft.Extensions.Hosting;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// Reads the JWT signing keyring again every <see cref="Interval"/>, so that a key the operator
/// rotated on one silo signs on every silo within that time (a token naming a key this silo does
/// not know yet makes it read at once).
/// </summary>
public sealed partial class SigningKeyRefresh(PlatformKeys keys, ILogger<SigningKeyRefresh> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!keys.IsLoaded)
            {
                continue;
            }

            try
            {
                await keys.RefreshSigningKeysAsync(now: true);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRefreshFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the signing keyring again; the keys known are kept")]
    private partial void LogRefreshFailed(Exception exception);
}
