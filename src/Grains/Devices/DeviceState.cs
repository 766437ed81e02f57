namespace Embever.Actors.Devices;

[GenerateSerializer, Alias("Embever.Actors.DeviceState")]
public sealed class DeviceState
{
    [Id(0)] public DeviceView? View { get; set; }

    /// <summary>HMAC of the device password; the password is shown once, at creation.</summary>
    [Id(1)] public byte[] PasswordHash { get; set; } = [];
}
