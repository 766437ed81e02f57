namespace Embever.Actors.Deployments.Rollouts;

/// <summary>
/// How a deployment rolls out (docs/rollouts.md): the sizes of its successive groups, taken from
/// its devices in the order given (the devices left over form the last group); the share of a
/// group that must succeed before the next starts; the failed share that aborts it; how many
/// <c>_fota</c> actions a minute it releases; how long an update may take; and whether it waits
/// for a resume between groups. <see cref="AllAtOnce"/> is a deployment without a rollout.
/// </summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.RolloutPolicy")]
public sealed record RolloutPolicy(
    IReadOnlyList<int> Groups,
    double SuccessThreshold = 1.0,
    double? ErrorThreshold = null,
    int? MaxPerMinute = null,
    int? UpdateTimeoutSeconds = null,
    bool PauseBetweenGroups = false)
{
    public static readonly RolloutPolicy AllAtOnce = new([]);

    /// <summary>The groups of <paramref name="deviceCount"/> devices: the given sizes while devices last, then the rest.</summary>
    public IReadOnlyList<int> GroupSizes(int deviceCount)
    {
        var sizes = new List<int>();
        var left = deviceCount;
        foreach (var size in Groups)
        {
            if (left == 0)
            {
                break;
            }

            var taken = Math.Min(size, left);
            sizes.Add(taken);
            left -= taken;
        }

        if (left > 0 || sizes.Count == 0)
        {
            sizes.Add(left);
        }

        return sizes;
    }
}
