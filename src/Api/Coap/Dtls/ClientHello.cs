using System.Buffers.Binary;

namespace Embever.Actors.Api.Coap.Dtls;

/// <summary>
/// What the server takes from a ClientHello (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2): the random,
/// the cookie, the suites, and the extensions it answers: <c>connection_id</c> (RFC 9146, with the
/// CID the client wants on records to it), <c>extended_master_secret</c> (RFC 7627) and secure
/// renegotiation (RFC 5746, by extension or SCSV). <see cref="CookieInput"/> is everything the
/// cookie covers: the hello without its cookie, so a retransmission has the same cookie.
/// </summary>
public sealed class ClientHello
{
    private const ushort ExtendedMasterSecretExtension = 23;
    private const ushort ConnectionIdExtension = 54;
    private const ushort RenegotiationInfoExtension = 0xFF01;
    private const ushort RenegotiationScsv = 0x00FF;

    public required byte[] Random { get; init; }

    public required byte[] Cookie { get; init; }

    public required DtlsSuite? Suite { get; init; }

    /// <summary>Null when the client did not offer a Connection ID; else the one it wants on records to it (often empty).</summary>
    public required byte[]? ConnectionId { get; init; }

    public required bool ExtendedMasterSecret { get; init; }

    public required bool SecureRenegotiation { get; init; }

    public required byte[] CookieInput { get; init; }

    public static ClientHello? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return ParseCore(body);
        }
        catch (Exception exception) when (exception is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // A length that runs past the message.
            return null;
        }
    }

    private static ClientHello? ParseCore(ReadOnlySpan<byte> body)
    {
        var reader = body;
        var version = BinaryPrimitives.ReadUInt16BigEndian(reader);

        // DTLS versions count down (1.2 is 0xFEFD, 1.0 0xFEFF): a client that cannot do 1.2 is refused.
        if (version > DtlsRecord.Version12)
        {
            return null;
        }

        var random = reader.Slice(2, 32).ToArray();
        reader = reader[34..];
        Take8(ref reader);
        var cookieStart = body.Length - reader.Length;
        var cookie = Take8(ref reader).ToArray();
        var cookieEnd = body.Length - reader.Length;
        var suites = Take16(ref reader);
        Take8(ref reader);

        DtlsSuite? chosen = null;
        var renegotiation = false;
        foreach (var preferred in DtlsSuites.Offered)
        {
            for (var i = 0; i + 1 < suites.Length; i += 2)
            {
                var suite = BinaryPrimitives.ReadUInt16BigEndian(suites[i..]);
                renegotiation |= suite == RenegotiationScsv;
                if (chosen is null && suite == (ushort)preferred)
                {
                    chosen = preferred;
                }
            }
        }

        byte[]? cid = null;
        var ems = false;
        if (reader.Length >= 2)
        {
            var extensions = Take16(ref reader);
            while (extensions.Length >= 4)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
                extensions = extensions[2..];
                var data = Take16(ref extensions);
                switch (type)
                {
                    case ConnectionIdExtension when data.Length >= 1 && data[0] == data.Length - 1:
                        cid = data[1..].ToArray();
                        break;
                    case ExtendedMasterSecretExtension:
                        ems = true;
                        break;
                    case RenegotiationInfoExtension:
                        renegotiation = true;
                        break;
                }
            }
        }

        var input = new byte[body.Length - (cookieEnd - cookieStart)];
        body[..cookieStart].CopyTo(input);
        body[cookieEnd..].CopyTo(input.AsSpan(cookieStart));
        return new ClientHello
        {
            Random = random,
            Cookie = cookie,
            Suite = chosen,
            ConnectionId = cid,
            ExtendedMasterSecret = ems,
            SecureRenegotiation = renegotiation,
            CookieInput = input,
        };
    }

    private static ReadOnlySpan<byte> Take8(ref ReadOnlySpan<byte> reader)
    {
        var length = reader[0];
        var value = reader.Slice(1, length);
        reader = reader[(1 + length)..];
        return value;
    }

    private static ReadOnlySpan<byte> Take16(ref ReadOnlySpan<byte> reader)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(reader);
        var value = reader.Slice(2, length);
        reader = reader[(2 + length)..];
        return value;
    }
}
