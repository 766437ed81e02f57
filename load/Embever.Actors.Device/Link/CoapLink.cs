using Embever.Actors.Api.Coap;

namespace Embever.Actors.Device.Link;

/// <summary>
/// A device's CoAP client: confirmable requests with a fresh message id and token each, sent
/// again on RFC 7252's schedule (ACK_TIMEOUT 2 s × 1–1.5, doubling, 4 times at most) until the
/// piggybacked answer arrives. <paramref name="query"/> carries plain CoAP's credentials.
/// </summary>
public sealed class CoapLink(IDatagramChannel channel, IReadOnlyList<string> query, Action<string>? trace = null) : IDisposable
{
    private const int MaxRetransmit = 4;
    private readonly byte[] buffer = new byte[64 * 1024];
    private ushort messageId = (ushort)Random.Shared.Next(ushort.MaxValue);

    public IDatagramChannel Channel => channel;

    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Sends a request to <paramref name="path"/> and returns its answer; null when none came after every retransmission.</summary>
    public CoapMessage? Request(CoapCode method, string[] path, IEnumerable<CoapOption> options, byte[] payload)
    {
        var token = new byte[4];
        Random.Shared.NextBytes(token);
        List<CoapOption> all = [.. path.Select(p => CoapOption.Text(CoapOption.UriPath, p)), .. query.Select(q => CoapOption.Text(CoapOption.UriQuery, q)), .. options];
        var request = new CoapMessage(CoapType.Confirmable, method, ++messageId, token, all, payload);
        var datagram = CoapCodec.Encode(request);
        var timeout = AckTimeout * (1 + Random.Shared.NextDouble() / 2);
        for (var attempt = 0; attempt <= MaxRetransmit; attempt++, timeout *= 2)
        {
            channel.Send(datagram);
            trace?.Invoke($"→ {Describe(request)} ({datagram.Length} B{(attempt > 0 ? $", retransmission {attempt}" : "")})");
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                var length = channel.Receive(buffer, deadline - DateTime.UtcNow);
                if (length < 0)
                {
                    break;
                }

                if (CoapCodec.TryDecode(buffer.AsSpan(0, length), out var answer, out _) && answer!.MessageId == request.MessageId
                    && answer.Type is CoapType.Acknowledgement or CoapType.Reset)
                {
                    trace?.Invoke($"← {Describe(answer)} ({length} B)");
                    return answer.Type == CoapType.Reset ? null : answer;
                }
            }
        }

        return null;
    }

    public void Dispose() => channel.Dispose();

    public static string Describe(CoapMessage message)
    {
        var path = string.Join('/', message.All(CoapOption.UriPath).Select(o => o.AsText()));
        var format = message.First(CoapOption.ContentFormat)?.AsUint() switch
        {
            ContentFormats.Json => " json",
            ContentFormats.Cbor => " cbor",
            ContentFormats.OctetStream => " octets",
            null => "",
            var other => $" cf {other}",
        };
        var block = message.First(CoapOption.Block2) is { } b && BlockOption.From(b) is { } block2 ? $" block2 {block2.Number}/{(block2.More ? "more" : "last")}/{block2.Size}" : "";
        var what = message.IsRequest ? $"{(message.Code == CoapCode.Post ? "POST" : message.Code == CoapCode.Get ? "GET" : message.Code.ToString())} /{path}" : message.Code.ToString();
        return $"{message.Type switch { CoapType.Confirmable => "CON", CoapType.NonConfirmable => "NON", CoapType.Acknowledgement => "ACK", _ => "RST" }} {what} mid {message.MessageId}{format}{block}, payload {message.Payload.Length} B";
    }
}
