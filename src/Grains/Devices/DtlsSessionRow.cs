namespace Embever.Actors.Devices;

/// <summary>
/// A device's DTLS session as the store keeps it (<c>dtls_sessions</c>): what the record layer
/// needs to go on. <see cref="Keys"/> are the client's write key, the server's, the client's
/// IV and the server's (16 + 16 + 4 + 4 bytes), sealed at rest. <see cref="WriteLimit"/> is the
/// first write sequence number not yet reserved; <see cref="ReadHigh"/> the newest record
/// sequence accepted.
/// </summary>
public sealed record DtlsSessionRow(long ConnectionId, string DeviceId, int Suite, byte[] Keys, byte[]? ClientConnectionId, long WriteLimit, long ReadHigh, DateTime LastActive);
