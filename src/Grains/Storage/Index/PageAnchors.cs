using System.Collections.Concurrent;

namespace Embever.Actors.Storage.Index;

/// <summary>
/// Remembered positions in large lists, so that a page at a deep offset costs a seek and a few
/// thousand steps instead of walking the index from its start (a page at offset 900,000 of a
/// million devices: ~100 ms on our two cores; from an anchor, about one). Every
/// <see cref="Spacing"/>-th row's order key (<c>created_at</c>, <c>id</c>) is kept, built in the
/// background by one scan, and trusted only while the organisation's removal count
/// (<see cref="KeptTotals.VersionSql"/>) is what it was when the scan began: new rows only go to
/// the end, so until a row leaves, every remembered row still has as many rows before it.
/// Bounded: at most <see cref="MaxLists"/> lists (the oldest forgotten), each a row per
/// <see cref="Spacing"/>.
/// </summary>
internal sealed class PageAnchors
{
    public const int Spacing = 4096;
    public const int MaxLists = 1000;

    private readonly ConcurrentDictionary<string, Built> lists = new();
    private readonly ConcurrentDictionary<string, Task> building = new();

    /// <summary>Lists with anchors now (tests).</summary>
    public int Count => lists.Count;

    /// <summary>The remembered row at or before <paramref name="offset"/>, if the list's anchors are current.</summary>
    public Anchor? Find(string key, long version, long offset)
    {
        if (!lists.TryGetValue(key, out var built) || built.Version != version || built.Anchors.Length == 0 || offset < built.Anchors[0].Offset)
        {
            return null;
        }

        var index = Array.BinarySearch(built.Anchors, new Anchor(offset, 0, ""), AnchorOffsets.Instance);
        return built.Anchors[index >= 0 ? index : ~index - 1];
    }

    /// <summary>Whether the list has no current anchors, or grew by a tenth since they were built.</summary>
    public bool Stale(string key, long version, long total) =>
        !lists.TryGetValue(key, out var built) || built.Version != version || total > built.Rows + Math.Max(Spacing, built.Rows / 10);

    /// <summary>Builds the list's anchors in the background, one build per list at a time; a failed one (a full lane) is tried at the next ask.</summary>
    public void BuildInBackground(string key, Func<Task<(long Version, long Rows, Anchor[] Anchors)>> build)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!building.TryAdd(key, done.Task))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var (version, rows, anchors) = await build();
                if (lists.Count >= MaxLists && !lists.ContainsKey(key))
                {
                    foreach (var oldest in lists.OrderBy(l => l.Value.At).Take(MaxLists / 10))
                    {
                        lists.TryRemove(oldest.Key, out _);
                    }
                }

                lists[key] = new Built(version, rows, anchors, Environment.TickCount64);
            }
            catch (Exception)
            {
                // Busy or failed: pages walk the index until a later ask builds them.
            }
            finally
            {
                building.TryRemove(key, out _);
                done.TrySetResult();
            }
        });
    }

    /// <summary>Waits for the list's anchors being built, at most <paramref name="timeout"/>: a deep page would rather wait a little for them than walk.</summary>
    public async Task WaitForBuildAsync(string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (building.TryGetValue(key, out var build))
        {
            try
            {
                await build.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Still building: the page walks.
            }
        }
    }

    /// <summary>A remembered row: its offset in the list and its order key.</summary>
    public sealed record Anchor(long Offset, long CreatedAt, string Id);

    private sealed record Built(long Version, long Rows, Anchor[] Anchors, long At);

    private sealed class AnchorOffsets : IComparer<Anchor>
    {
        public static readonly AnchorOffsets Instance = new();

        public int Compare(Anchor? x, Anchor? y) => x!.Offset.CompareTo(y!.Offset);
    }
}
