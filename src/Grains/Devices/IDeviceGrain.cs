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

    /// <summary>
    /// Reserves the device for an update of a deployment (one unfinished update per device) and
    /// answers the <c>_fota</c> action it would buffer, which the deployment then commits.
    /// </summary>
    [Alias("ReserveUpdate")]
    Task<UpdateReservation> ReserveUpdate(UpdateStart update);

    /// <summary>The deployment committed: the reserved action joins the buffer.</summary>
    [Alias("ConfirmUpdate")]
    Task ConfirmUpdate(long updateId);

    /// <summary>The deployment was not created: the reservation ends.</summary>
    [Alias("ReleaseUpdate")]
    Task ReleaseUpdate(long updateId);

    /// <summary>A staged rollout releases the device's held <c>_fota</c> action: it is sent at the next wakeup.</summary>
    [Alias("ReleaseHeldUpdate")]
    Task ReleaseHeldUpdate(long actionId, DateTime releasedAt);

    /// <summary>An aborted rollout cancels the device's <c>_fota</c> action if it was not sent yet.</summary>
    [Alias("WithdrawUpdate")]
    Task WithdrawUpdate(long actionId, string reason);

    /// <summary>One wakeup of the device; null when the password is wrong or the device does not exist.</summary>
    [Alias("Exchange")]
    Task<ExchangeAnswer?> Exchange(string password, DeviceExchange exchange);

    /// <summary>Whether the device may download the file: one of its actions must send it.</summary>
    [Alias("MayDownload")]
    Task<DownloadPermission> MayDownload(string password, string fileId);
}
