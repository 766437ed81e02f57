using Embever.Actors.Api.Http;
using Embever.Actors.Devices;
using Embever.Actors.Platform;

namespace Embever.Actors.Api.Gateway;

public sealed record GatewayAction(long Id, string Type, RawJson Payload, int ServiceLevel);

public sealed record GatewayRejection(long Action, string Reason);

/// <summary>The exchange's answer: actions to run (oldest first), stored event ids, refused reports.</summary>
public sealed record ExchangeResponse(IReadOnlyList<GatewayAction> Actions, IReadOnlyList<long> Events, IReadOnlyList<GatewayRejection> Rejected)
{
    public static ExchangeResponse From(ExchangeAnswer answer) => new(
        answer.Actions.Select(a => new GatewayAction(a.Id, a.Type, RawJson.From(a.PayloadJson), a.ServiceLevel)).ToList(),
        answer.Events,
        answer.Rejected.Select(r => new GatewayRejection(r.Action, r.Reason)).ToList());
}
