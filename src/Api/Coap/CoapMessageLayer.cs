using System.Net;
using Embever.Actors.Api.Gateway;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// CoAP's message layer (RFC 7252 §4), the same over UDP and DTLS: a confirmable request gets its
/// answer piggybacked on the ACK, a non-confirmable one a NON; an empty CON (a ping) or a message
/// this endpoint cannot take gets a RST; ACKs and RSTs are not expected (the gateway sends no
/// CON) and are ignored. Retransmissions are answered from <see cref="RecentMessages"/>. Nothing
/// a datagram holds can throw out of here: a malformed one is dropped or reset, a failing handler
/// answers 5.00.
/// </summary>
public sealed class CoapMessageLayer(CoapGateway gateway, RecentMessages recent, ILogger<CoapMessageLayer> logger)
{
    /// <summary>The largest datagram answered (a DTLS record holds 16 KiB); larger answers are a 5.00.</summary>
    public const int MaxDatagram = 16 * 1024 - 256;

    private int nextMessageId = Random.Shared.Next(ushort.MaxValue);

    /// <summary>
    /// The datagram to send back for one received, or null. <paramref name="peer"/> names the
    /// sender for duplicate detection (an address, or a DTLS session that outlives addresses);
    /// <paramref name="source"/> is the address it came from.
    /// </summary>
    public async Task<byte[]?> HandleAsync(ReadOnlyMemory<byte> datagram, string peer, IPAddress? source, DeviceCredentials? session, CancellationToken cancellationToken)
    {
        if (!CoapCodec.TryDecode(datagram.Span, out var message, out _))
        {
            // A format error: a confirmable message is rejected with a RST (§4.2), anything else dropped.
            return datagram.Length >= 4 && datagram.Span[0] >> 6 == 1 && ((datagram.Span[0] >> 4) & 0x3) == (int)CoapType.Confirmable
                ? Reset((ushort)((datagram.Span[2] << 8) | datagram.Span[3]))
                : null;
        }

        if (message!.Type is CoapType.Acknowledgement or CoapType.Reset)
        {
            return null;
        }

        if (!message.IsRequest)
        {
            // An empty CON is a ping (§4.3); a response code in a CON or NON is not ours to take.
            return message.Type == CoapType.Confirmable ? Reset(message.MessageId) : null;
        }

        switch (recent.Check(peer, message.MessageId, out var earlier))
        {
            case RecentMessages.Seen.Answered:
                return earlier;
            case RecentMessages.Seen.InProgress:
                return null;
            case RecentMessages.Seen.Full:
                return Encode(message, CoapResponse.Error(CoapCode.ServiceUnavailable, "The gateway is busy; try again as Max-Age says.", CoapResponse.MaxAge(TimeSpan.FromSeconds(5))));
        }

        byte[] answer;
        CoapResponse response;
        try
        {
            response = await gateway.HandleAsync(message, peer, source, session, cancellationToken);
            answer = Encode(message, response);
            if (answer.Length > MaxDatagram)
            {
                response = CoapResponse.Error(CoapCode.InternalServerError, "The answer does not fit a datagram.");
                answer = Encode(message, response);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "A CoAP request from {Peer} failed.", peer);
            recent.Forget(peer, message.MessageId);
            return Encode(message, CoapResponse.Error(CoapCode.InternalServerError, "The request failed; send it again."));
        }
        catch (OperationCanceledException)
        {
            recent.Forget(peer, message.MessageId);
            throw;
        }

        // Only what was applied needs its answer kept: a refused request is refused again (and
        // junk from forged addresses holds no place in the table beyond its own few milliseconds).
        if (response.Code.Class == 2)
        {
            recent.Answered(peer, message.MessageId, answer);
        }
        else
        {
            recent.Forget(peer, message.MessageId);
        }

        return answer;
    }

    private byte[] Encode(CoapMessage request, CoapResponse response)
    {
        var confirmable = request.Type == CoapType.Confirmable;
        return CoapCodec.Encode(new CoapMessage(
            confirmable ? CoapType.Acknowledgement : CoapType.NonConfirmable,
            response.Code,
            confirmable ? request.MessageId : (ushort)Interlocked.Increment(ref nextMessageId),
            request.Token,
            response.Options,
            response.Payload));
    }

    private static byte[] Reset(ushort messageId) => CoapCodec.Encode(new CoapMessage(CoapType.Reset, CoapCode.Empty, messageId, [], [], []));
}
