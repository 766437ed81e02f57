namespace Embever.Actors.Device.Link;

/// <summary>Datagrams to and from the gateway: plain UDP, or DTLS records on it.</summary>
public interface IDatagramChannel : IDisposable
{
    WireCounter Wire { get; }

    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>The length of the datagram received into <paramref name="buffer"/>, or -1 when none came in time.</summary>
    int Receive(Span<byte> buffer, TimeSpan timeout);

    /// <summary>Takes a new local port, as a NAT does when its binding expires while the device sleeps.</summary>
    void Rebind();
}
