using Embever.Actors.Actions;
using Embever.Actors.Devices;

namespace Embever.Actors.Storage.Migrations;

/// <summary>
/// How releases up to b299384 stored a device grain's state in Orleans grain storage: read once
/// by <see cref="DeviceStateToRows"/> to carry each password hash over to the device row.
/// The alias and ids must stay as they were written.
/// </summary>
[GenerateSerializer, Alias("Embever.Actors.DeviceState")]
public sealed class LegacyDeviceState
{
    [Id(0)] public DeviceView? View { get; set; }

    [Id(1)] public byte[] PasswordHash { get; set; } = [];

    [Id(2)] public List<DeviceAction> PendingActions { get; set; } = [];

    [Id(3)] public List<DeviceAction> RecentActions { get; set; } = [];

    [Id(4)] public DateTime LastSeenStoredAt { get; set; }
}
