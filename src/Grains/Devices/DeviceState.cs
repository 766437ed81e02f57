using Embever.Actors.Actions;

namespace Embever.Actors.Devices;

/// <summary>
/// A device's durable hot state: its profile, credentials and unfinished actions. Finished
/// actions leave it (a few recent sent ones stay for late reports), so it stays small however
/// long the device lives; their rows stay in the actions table.
/// </summary>
[GenerateSerializer, Alias("Embever.Actors.DeviceState")]
public sealed class DeviceState
{
    [Id(0)] public DeviceView? View { get; set; }

    /// <summary>HMAC of the device password; the password is shown once, at creation.</summary>
    [Id(1)] public byte[] PasswordHash { get; set; } = [];

    /// <summary>Buffered and in-flight actions.</summary>
    [Id(2)] public List<DeviceAction> PendingActions { get; set; } = [];

    /// <summary>Finished actions that were sent, kept a while for late acks, responses and file reports.</summary>
    [Id(3)] public List<DeviceAction> RecentActions { get; set; } = [];

    /// <summary>When <c>last_seen_at</c> was last written; plain wakeups write it at most once a minute.</summary>
    [Id(4)] public DateTime LastSeenStoredAt { get; set; }
}
