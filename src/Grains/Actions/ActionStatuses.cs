namespace Embever.Actors.Actions;

/// <summary>The status names an action can reach; each is a timestamp in <c>status</c> and a webhook trigger.</summary>
public static class ActionStatuses
{
    public const string Sent = "action_sent";
    public const string Delivered = "action_delivered";
    public const string ResponseReceived = "response_received";
    public const string Overridden = "action_overridden";
    public const string FileTransferStarted = "file_transfer_started";
    public const string FileTransferComplete = "file_transfer_complete";
    public const string FileTransferFailed = "file_transfer_failed";
    public const string Cancelled = "action_cancelled";
    public const string Expired = "action_expired";

    /// <summary>Every status, in the order they are shown.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Sent, Delivered, ResponseReceived, Overridden, FileTransferStarted, FileTransferComplete, FileTransferFailed, Cancelled, Expired,
    ];
}

/// <summary>Action types with a meaning of their own.</summary>
public static class ActionTypes
{
    /// <summary>Sends a file to the device: <c>payload.file</c> is a data URI, stored and replaced by the file's id.</summary>
    public const string GetFile = "getFile";

    /// <summary>A firmware update; created only by deployments.</summary>
    public const string Fota = "_fota";

    public static bool IsPrivate(string type) => type.StartsWith('_');

    public static bool TransfersFile(string type) => type is GetFile or Fota;
}
