using System.Collections.Concurrent;

namespace Embever.Actors.Storage.Index;

/// <summary>
/// Remembered positions in large lists, so that a page at a deep offset costs a seek and a few
/// thousand steps instead of walking the index from its start (a page at offset 900,000 of a
/// million devices: ~100 ms on our two cores, and half a second on PostgreSQL before the table's
/// first vacuum; from an anchor, about one). Every <see cref="Spacing"/>-th row's order key
/// (<c>created_at</c>, <c>id</c>) is kept, built in the background, and trusted only while the
/// organisation's removal count (<see cref="KeptTotals.VersionSql"/>) is what it was when the
/// build began: new rows only go to the end, so until a row leaves, every remembered row still has
/// as many rows before it. For the same reason a list that grew is extended from its last anchor,
/// not built again: an import's rows cost a statement per <see cref="Spacing"/> of them. Rows of
/// the newest creation time get no anchor (an import writes thousands with one time, in several
/// transactions, in id order only within each). Bounded: at most <see cref="MaxLists"/> lists (the
/// oldest forgotten), each a row per <see cref="Spacing"/>.
/// </summary>
internal sealed class PageAnchors
{
    public const int Spacing = 4096;
    public const int MaxLists = 1000;

    /// <summary>The shortest time between two extensions of a list that keeps growing (an import), in milliseconds.</summary>
    private const long ExtendInterval = 1000;

    private readonly ConcurrentDictionary<string, Built> lists = new();
    private readonly ConcurrentDictionary<string, Task> building = new();

    /// <summary>Lists with anchors now (tests).</summary>
    public int Count => lists.Count;

    /// <summary>Rows up to the list's last anchor, 0 without anchors (tests).</summary>
    public long Rows(string key) => lists.TryGetValue(key, out var built) ? built.Rows : 0;

    /// <summary>Builds finished, failed or not (tests).</summary>
    public long Builds => Interlocked.Read(ref builds);

    private long builds;

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

    /// <summary>Whether the list has no current anchors, or grew by two spacings since they were built at least a second ago.</summary>
    public bool Stale(string key, long version, long total) =>
        !lists.TryGetValue(key, out var built) || built.Version != version
        || (total >= built.Rows + 2 * Spacing && Environment.TickCount64 - built.At >= ExtendInterval);

    /// <summary>
    /// Builds the list's anchors in the background, one build per list at a time, handing the
    /// builder the anchors it has (to extend, if their removal count is still current); a failed
    /// build (a full lane) is tried at the next ask.
    /// </summary>
    public void BuildInBackground(string key, Func<Known?, Task<(long Version, long Rows, Anchor[] Anchors)>> build)
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
                var (version, rows, anchors) = await build(lists.TryGetValue(key, out var known) ? new Known(known.Version, known.Anchors) : null);
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
                Interlocked.Increment(ref builds);
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

    /// <summary>The anchors a list has, and the removal count they were built at.</summary>
    public sealed record Known(long Version, Anchor[] Anchors);

    /// <summary>A remembered row: its offset in the list and its order key.</summary>
    public sealed record Anchor(long Offset, long CreatedAt, string Id);

    private sealed record Built(long Version, long Rows, Anchor[] Anchors, long At);

    private sealed class AnchorOffsets : IComparer<Anchor>
    {
        public static readonly AnchorOffsets Instance = new();

        public int Compare(Anchor? x, Anchor? y) => x!.Offset.CompareTo(y!.Offset);
    }
}
