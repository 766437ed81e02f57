using Embever.Actors.Actions;
using Embever.Actors.Deployments;

namespace Embever.Actors.Devices;

/// <summary>
/// One device, keyed by its short id. It owns the device's profile and credentials, its action
/// buffer (override rules, service-level locks) and the reminder that expires its actions.
/// </summary>
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

    /// <summary>Deletes the device; its unfinished actions are cancelled first.</summary>
    [Alias("Delete")]
    Task<bool> Delete();

    /// <summary>Buffers a new action (overriding a buffered one of its type); null when the device does not exist.</summary>
    [Alias("CreateAction")]
    Task<DeviceAction?> CreateAction(NewAction action);

    /// <summary>
    /// Cancels one of the device's actions; a finished one is returned unchanged; null when not the
    /// device's. A <paramref name="reason"/> becomes the action's (failed) result.
    /// </summary>
    [Alias("CancelAction")]
    Task<DeviceAction?> CancelAction(long actionId, string? reason = null);

    /// <summary>Starts the device's part of a deployment: a _fota action, unless an update is unfinished.</summary>
    [Alias("StartUpdate")]
    Task<UpdateStartResult> StartUpdate(UpdateStart update);

    /// <summary>Undoes <see cref="StartUpdate"/> for a deployment that was not created.</summary>
    [Alias("AbortUpdate")]
    Task AbortUpdate(long updateId);

    /// <summary>One wakeup of the device; null when the password is wrong or the device does not exist.</summary>
    [Alias("Exchange")]
    Task<ExchangeAnswer?> Exchange(string password, DeviceExchange exchange);

    /// <summary>Whether the device may download the file: one of its actions must send it.</summary>
    [Alias("MayDownload")]
    Task<DownloadPermission> MayDownload(string password, string fileId);
}
