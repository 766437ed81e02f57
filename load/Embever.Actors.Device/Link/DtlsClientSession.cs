using System.Text.Json;
using Embever.Actors.Api.Coap.Dtls;

namespace Embever.Actors.Device.Link;

/// <summary>
/// A DTLS session as a device keeps it in RAM across its sleep (RFC 9146: with the gateway's
/// Connection ID, a session needs no address): the suite, the four keys, the Connection ID its
/// records carry, its next write sequence number and the newest record it accepted. It seals
/// and opens records; <see cref="Save"/> and <see cref="Load"/> keep it in a file.
/// </summary>
public sealed class DtlsClientSession
{
    public required DtlsSuite Suite { get; init; }

    /// <summary>Client write key, server write key, client IV, server IV (the key block's order).</summary>
    public required byte[] Keys { get; init; }

    /// <summary>The gateway's Connection ID (on every record to it); empty when it gave none.</summary>
    public required byte[] ConnectionId { get; init; }

    public long WriteSequence { get; set; }

    public long ReadHigh { get; set; } = -1;

    public byte[] Seal(ReadOnlySpan<byte> plaintext) =>
        RecordProtection.Seal(Suite, SessionKeys.ClientKeyOf(Keys), SessionKeys.ClientIvOf(Keys), DtlsRecord.ApplicationDataType, 1, WriteSequence++, ConnectionId, plaintext);

    /// <summary>The application data of a datagram from the gateway; null when it holds none that authenticates (or only records at or below the newest accepted: replays).</summary>
    public byte[]? Open(ReadOnlySpan<byte> datagram)
    {
        while (DtlsRecord.TryRead(ref datagram, out var record))
        {
            if (record.Epoch != 1 || record.Sequence <= ReadHigh)
            {
                continue;
            }

            if (RecordProtection.Open(Suite, SessionKeys.ServerKeyOf(Keys), SessionKeys.ServerIvOf(Keys), record) is (DtlsRecord.ApplicationDataType, var plain))
            {
                ReadHigh = Math.Max(ReadHigh, record.Sequence);
                return plain;
            }
        }

        return null;
    }

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public static DtlsClientSession? Load(string path) => File.Exists(path) ? FromJson(File.ReadAllText(path)) : null;

    public string ToJson() => JsonSerializer.Serialize(new Stored(Suite, Keys, ConnectionId, WriteSequence, ReadHigh));

    public static DtlsClientSession FromJson(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json)!;
        return new DtlsClientSession { Suite = stored.Suite, Keys = stored.Keys, ConnectionId = stored.ConnectionId, WriteSequence = stored.WriteSequence, ReadHigh = stored.ReadHigh };
    }

    private sealed record Stored(DtlsSuite Suite, byte[] Keys, byte[] ConnectionId, long WriteSequence, long ReadHigh);
}
