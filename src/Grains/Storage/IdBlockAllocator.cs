using System.Collections.Concurrent;

namespace Embever.Actors.Storage;

/// <summary>
/// Cluster-wide unique integer ids (tokens, actions, events, ...) without a database round
/// trip per id: each silo reserves a block of ids at a time from <c>id_sequences</c> (hi/lo).
/// Ids are never reused; a silo that stops leaves a gap. All ids stay below 2^53.
/// </summary>
public sealed class IdBlockAllocator(Database database, int blockSize = 1000)
{
    private readonly ConcurrentDictionary<string, Sequence> sequences = new();

    public async ValueTask<long> NextAsync(string sequenceName, CancellationToken cancellationToken = default)
    {
        var sequence = sequences.GetOrAdd(sequenceName, static _ => new Sequence());
        await sequence.Gate.WaitAsync(cancellationToken);
        try
        {
            if (sequence.Next >= sequence.End)
            {
                var end = await ReserveAsync(sequenceName, cancellationToken);
                sequence.Next = end - blockSize;
                sequence.End = end;
            }

            return sequence.Next++;
        }
        finally
        {
            sequence.Gate.Release();
        }
    }

    private async Task<long> ReserveAsync(string sequenceName, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync(
            "INSERT INTO id_sequences (name, next_value) VALUES (@name, 1) ON CONFLICT (name) DO NOTHING",
            p => p.Add("name", sequenceName),
            cancellationToken);
        var end = await database.ScalarAsync<long>(
            "UPDATE id_sequences SET next_value = next_value + @size WHERE name = @name RETURNING next_value",
            p => p.Add("name", sequenceName).Add("size", (long)blockSize),
            cancellationToken);
        return end;
    }

    private sealed class Sequence
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Next { get; set; }

        public long End { get; set; }
    }
}
