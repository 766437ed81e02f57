namespace Embever.Actors.Device.Link;

/// <summary>What went over the wire: bytes and datagrams (or TCP reads and writes) each way, as the transport handed them to the socket.</summary>
public sealed class WireCounter
{
    private long sent;
    private long received;
    private long packetsSent;
    private long packetsReceived;

    public long Sent => Interlocked.Read(ref sent);

    public long Received => Interlocked.Read(ref received);

    public long PacketsSent => Interlocked.Read(ref packetsSent);

    public long PacketsReceived => Interlocked.Read(ref packetsReceived);

    public long Total => Sent + Received;

    public void CountSent(int bytes)
    {
        Interlocked.Add(ref sent, bytes);
        Interlocked.Increment(ref packetsSent);
    }

    public void CountReceived(int bytes)
    {
        Interlocked.Add(ref received, bytes);
        Interlocked.Increment(ref packetsReceived);
    }

    public (long Sent, long Received) Snapshot() => (Sent, Received);
}
