namespace Embever.Actors.Devices;

/// <summary>A device as its row stores it: the profile and the password hash (never the password).</summary>
public sealed record DeviceRecord(DeviceView View, byte[] PasswordHash);
