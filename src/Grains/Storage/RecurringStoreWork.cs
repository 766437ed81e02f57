using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Storage;

/// <summary>
/// Work every silo does on the store again and again (erasing what deleted devices and tenants
/// left, sweeping what is past its retention, reading the signing keyring again): a round, then
/// <see cref="Interval"/>, for as long as the silo runs. Nothing runs before the schema is
/// current (the storage start-up loads the keys last); a round that fails is logged and the next
/// one tries again.
/// </summary>
public abstract partial class RecurringStoreWork(PlatformKeys keys, ILogger logger) : BackgroundService
{
    /// <summary>The platform's keys: loaded once the schema is current.</summary>
    protected PlatformKeys Keys => keys;

    /// <summary>The time between the end of one round and the start of the next.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>What is done each time, in words for the log ("erasing deleted devices").</summary>
    protected abstract string Work { get; }

    protected abstract Task RoundAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (keys.IsLoaded)
            {
                try
                {
                    await RoundAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRoundFailed(exception, Work);
                }
            }

            await Task.Delay(keys.IsLoaded ? Interval : TimeSpan.FromMilliseconds(Math.Min(Interval.TotalMilliseconds, 1000)), stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Work} failed; trying again next round")]
    private partial void LogRoundFailed(Exception exception, string work);
}
