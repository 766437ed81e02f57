using System.Collections.Concurrent;

namespace Embever.Actors.Storage;

/// <summary>
/// Cluster-wide unique integer ids (tokens, actions, events, ...) without a database round
/// trip per id: each silo reserves a block of ids at a time from <c>id_sequences</c> (hi/lo).
/// The next block is reserved in the background once half of the current one is used, so a
/// caller almost never waits for the database (on SQLite that write may queue behind the group
/// commit for the single write lock, and every exchange needing an id would queue behind it).
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
                // Taken first: a reservation that failed is not awaited again.
                var ahead = sequence.Ahead;
                sequence.Ahead = null;
                var end = await (ahead ?? ReserveAsync(sequenceName));
                sequence.Next = end - blockSize;
                sequence.End = end;
            }

            if (sequence.Ahead is null && sequence.End - sequence.Next <= blockSize / 2)
            {
                sequence.Ahead = ReserveAsync(sequenceName);
            }

            return sequence.Next++;
        }
        finally
        {
            sequence.Gate.Release();
        }
    }

    private async Task<long> ReserveAsync(string sequenceName)
    {
        await database.ExecuteAsync(
            "INSERT INTO id_sequences (name, next_value) VALUES (@name, 1) ON CONFLICT (name) DO NOTHING",
            p => p.Add("name", sequenceName));
        return await database.ScalarAsync<long>(
            "UPDATE id_sequences SET next_value = next_value + @size WHERE name = @name RETURNING next_value",
            p => p.Add("name", sequenceName).Add("size", (long)blockSize));
    }

    private sealed class Sequence
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Next { get; set; }

        public long End { get; set; }

        /// <summary>The next block, being reserved.</summary>
        public Task<long>? Ahead { get; set; }
    }
}
