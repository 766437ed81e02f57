namespace Embever.Actors.Devices;

/// <summary>One device, keyed by its short id. It owns the device's profile and credentials.</summary>
[Alias("Embever.Actors.IDeviceGrain")]
public interface IDeviceGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<DeviceView?> Get();

    /// <summary>Creates the device; <see cref="DeviceWriteError.IdTaken"/> asks the caller for another id.</summary>
    [Alias("Create")]
    Task<DeviceWriteResult> Create(DeviceDraft draft);

    [Alias("Update")]
    Task<DeviceWriteResult> Update(DevicePatch patch);

    [Alias("Delete")]
    Task<bool> Delete();
}
