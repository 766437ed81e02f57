namespace Embever.Actors.Devices;

/// <summary>
/// A device as its row stores it: the profile, the password hash, and — written once, when the
/// device is created — the password sealed for DTLS (<see cref="Security.PasswordSeal"/>). Loaded
/// records leave it out: no later write touches it.
/// </summary>
public sealed record DeviceRecord(DeviceView View, byte[] PasswordHash, byte[]? SealedPassword = null);
