using System.Threading.Channels;
using Embever.Actors.Devices;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// Finds the pre-shared keys of handshakes waiting for them, many in one query: while one query
/// runs, the identities that arrive wait together for the next (a wake storm's handshakes cost
/// a query per batch, not per device). Nothing blocks a thread; an identity that is not a device
/// id is answered without a query.
/// </summary>
public sealed class PskLookup(DeviceDirectory directory, ILogger<PskLookup> logger)
{
    /// <summary>Identities in one query.</summary>
    private const int Batch = 256;

    private readonly Channel<(string Id, TaskCompletionSource<byte[]?> Key)> waiting =
        Channel.CreateUnbounded<(string, TaskCompletionSource<byte[]?>)>(new UnboundedChannelOptions { SingleReader = true });

    private int running;

    /// <summary>The key of <paramref name="identity"/>, or null when it names no device with a key.</summary>
    public Task<byte[]?> FindAsync(string identity)
    {
        if (!Platform.ShortIds.LooksValid(identity))
        {
            return Task.FromResult<byte[]?>(null);
        }

        var key = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.Writer.TryWrite((identity, key));
        if (Interlocked.CompareExchange(ref running, 1, 0) == 0)
        {
            _ = Task.Run(RunAsync);
        }

        return key.Task;
    }

    private async Task RunAsync()
    {
        while (true)
        {
            var batch = new List<(string Id, TaskCompletionSource<byte[]?> Key)>();
            while (batch.Count < Batch && waiting.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref running, 0);

                // One may have come between the last read and the release.
                if (waiting.Reader.Count == 0 || Interlocked.CompareExchange(ref running, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            try
            {
                var found = await directory.PreSharedKeysAsync(batch.Select(b => b.Id).Distinct(StringComparer.Ordinal).ToList());
                foreach (var (id, key) in batch)
                {
                    key.TrySetResult(found.GetValueOrDefault(id));
                }
            }
            catch (Exception exception)
            {
                // The store refused or failed: these handshakes fail, the device tries again.
                logger.LogWarning(exception, "Looking up {Count} DTLS keys failed.", batch.Count);
                foreach (var (_, key) in batch)
                {
                    key.TrySetException(exception);
                }
            }
        }
    }
}
