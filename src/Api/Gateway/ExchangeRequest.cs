using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Embever.Actors.Actions;
using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Events;

namespace Embever.Actors.Api.Gateway;

/// <summary>What a device sends in the exchange of a wakeup; every member is optional (an empty body is a plain wakeup).</summary>
/// <example>{"events": [{"type": "temp", "payload": {"celsius": 21.5}}], "acks": [62542], "responses": [{"action": 62540, "result": {"lat": 52.1}, "result_code": "Success"}], "file_transfers": [{"action": 28, "status": "complete"}]}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExchangeRequest : IRequestBody<ExchangeRequest>
{
    public const int MaxItems = 1000;

    /// <summary>The largest payload limit of any organisation (the device's is not known yet) and the envelope: acks and responses.</summary>
    public static long BodyLimitFor(HttpContext context) =>
        context.RequestServices.GetRequiredService<PayloadLimits>().Largest + PayloadLimits.Envelope;

    public static bool EmptyIsObject => true;

    /// <summary>New events, stored in this order.</summary>
    [MaxLength(MaxItems)]
    public List<ExchangeEvent>? Events { get; init; }

    /// <summary>The ids of actions received (service level 1 and 2 stop re-sending them).</summary>
    [MaxLength(MaxItems)]
    public List<long>? Acks { get; init; }

    /// <summary>Answers to actions (service level 2 stops re-sending them).</summary>
    [MaxLength(MaxItems)]
    public List<ExchangeResponseItem>? Responses { get; init; }

    /// <summary>How the downloads of getFile and _fota actions went.</summary>
    [MaxLength(MaxItems)]
    public List<ExchangeFileTransfer>? FileTransfers { get; init; }

    /// <summary>The UTF-8 JSON of the events' types and payloads: what the device's organisation's payload limit bounds.</summary>
    [JsonIgnore]
    public long EventBytes => Events?.Sum(e => (long)System.Text.Encoding.UTF8.GetByteCount(e.Type) + (e.Payload.ValueKind == JsonValueKind.Undefined ? 0 : System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(e.Payload).Length)) ?? 0;

    public DeviceExchange ToExchange() => new(
        Events?.Select(e => new NewEvent(e.Type, e.Payload.ValueKind == JsonValueKind.Undefined ? "{}" : e.Payload.GetRawText())).ToList() ?? [],
        new ActionReports(
            Acks ?? [],
            Responses?.Select(r => new DeviceResponse(r.Action, r.Result.ValueKind == JsonValueKind.Undefined ? "null" : r.Result.GetRawText(), r.ResultCode ?? DeviceResponse.Success)).ToList() ?? [],
            FileTransfers?.Select(f => new FileTransferReport(f.Action, f.Outcome)).ToList() ?? []));
}

/// <summary>An event a device reports.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExchangeEvent
{
    [NotBlank, MaxLength(255)]
    public required string Type { get; init; }

    /// <summary>Any JSON; <c>{}</c> when left out.</summary>
    public JsonElement Payload { get; init; }
}

/// <summary>A device's answer to an action.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExchangeResponseItem
{
    /// <summary>The action's id.</summary>
    public required long Action { get; init; }

    /// <summary>Any JSON.</summary>
    public JsonElement Result { get; init; }

    [OneOf(DeviceResponse.Success, DeviceResponse.Failure)]
    public string? ResultCode { get; init; }
}

/// <summary>How a file download for an action went.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExchangeFileTransfer
{
    /// <summary>The action's id.</summary>
    public required long Action { get; init; }

    [OneOf("started", "complete", "failed")]
    public required string Status { get; init; }

    [JsonIgnore]
    public FileTransferOutcome Outcome => Status switch
    {
        "started" => FileTransferOutcome.Started,
        "complete" => FileTransferOutcome.Complete,
        _ => FileTransferOutcome.Failed,
    };
}
