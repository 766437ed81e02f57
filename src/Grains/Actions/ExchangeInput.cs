namespace Embever.Actors.Actions;

/// <summary>A device's response to an action: its result and whether it succeeded.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.DeviceResponse")]
public sealed record DeviceResponse(long Action, string ResultJson, string ResultCode)
{
    public const string Success = "Success";
    public const string Failure = "Failure";
}

public enum FileTransferOutcome
{
    Started,
    Complete,
    Failed,
}

/// <summary>A device's report on the file transfer of a getFile or _fota action.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.FileTransferReport")]
public sealed record FileTransferReport(long Action, FileTransferOutcome Outcome)
{
    public string Status => Outcome switch
    {
        FileTransferOutcome.Started => ActionStatuses.FileTransferStarted,
        FileTransferOutcome.Complete => ActionStatuses.FileTransferComplete,
        _ => ActionStatuses.FileTransferFailed,
    };
}

/// <summary>Everything a device tells about actions in one exchange.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.ActionReports")]
public sealed record ActionReports(IReadOnlyList<long> Acks, IReadOnlyList<DeviceResponse> Responses, IReadOnlyList<FileTransferReport> FileTransfers)
{
    public static readonly ActionReports None = new([], [], []);

    /// <summary>Every action id the reports name.</summary>
    public IEnumerable<long> ActionIds => Acks.Concat(Responses.Select(r => r.Action)).Concat(FileTransfers.Select(f => f.Action));
}

/// <summary>What an exchange decided: the actions to send (oldest first), refusals and changes.</summary>
public sealed record ExchangeDecision(IReadOnlyList<DeviceAction> Outgoing, IReadOnlyList<Rejection> Rejected, ActionChanges Changes);
