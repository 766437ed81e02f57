using System.Net.Sockets;
using System.Text;
using Embever.Actors.Api.Coap;

namespace Embever.Actors.Device.Link;

/// <summary>
/// One confirmable CoAP exchange (<c>POST /x</c>) over a <see cref="DtlsClientSession"/>,
/// asynchronous, sent again on CoAP's schedule: what a waking device does with a session it kept.
/// </summary>
public static class DtlsSessionExchange
{
    /// <summary>The answer's code, or null when none came after <paramref name="attempts"/> sends; each send waits <paramref name="roundTrip"/> first (a simulated radio link).</summary>
    public static async Task<CoapCode?> PostAsync(Socket socket, DtlsClientSession session, string json, int attempts = 3, CancellationToken cancellationToken = default, TimeSpan roundTrip = default)
    {
        var token = new byte[4];
        Random.Shared.NextBytes(token);
        var messageId = (ushort)Random.Shared.Next(ushort.MaxValue);
        var request = CoapCodec.Encode(new CoapMessage(
            CoapType.Confirmable, CoapCode.Post, messageId, token,
            [CoapOption.Text(CoapOption.UriPath, "x"), CoapOption.Uint(CoapOption.ContentFormat, ContentFormats.Json)],
            Encoding.UTF8.GetBytes(json)));
        var buffer = new byte[16 * 1024 + 512];
        var wait = TimeSpan.FromSeconds(2);
        for (var attempt = 0; attempt < attempts; attempt++, wait *= 2)
        {
            if (roundTrip > TimeSpan.Zero)
            {
                await Task.Delay(roundTrip, cancellationToken);
            }

            // A retransmission is a new record: a new sequence number, the same CoAP message.
            await socket.SendAsync(session.Seal(request), SocketFlags.None, cancellationToken);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(wait);
            try
            {
                while (true)
                {
                    var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timer.Token);
                    if (session.Open(buffer.AsSpan(0, length)) is { } plain && CoapCodec.TryDecode(plain, out var answer, out _) && answer!.MessageId == messageId)
                    {
                        return answer.Code;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Lost, or the gateway is still taking the session from the store: send again.
            }
            catch (SocketException)
            {
                await Task.Delay(wait, cancellationToken);
            }
        }

        return null;
    }
}
