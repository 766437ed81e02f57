using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Embever.Actors.Api.Coap;

/// <summary>
/// CoAP over plain UDP (<c>coap://</c>, port 5683), on only when configured
/// (<see cref="CoapOptions.Plain"/>): anyone on the path reads the password in its Uri-Query, so
/// it is for development, tests and networks that encrypt below (a private APN). Each datagram is
/// handled on its own, at most <see cref="MaxInFlight"/> at once; more are dropped and sent again
/// by their devices.
/// </summary>
public sealed partial class PlainCoapEndpoint(CoapOptions options, CoapMessageLayer layer, ILogger<PlainCoapEndpoint> logger) : BackgroundService
{
    private const int MaxInFlight = 20_000;

    private Socket? socket;
    private int inFlight;

    public int Port { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        socket = CoapSocket.Bind(options.Address, options.PlainPort);
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        socket?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        socket?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await CoapSocket.ReceiveAsync(socket!, (datagram, from) =>
        {
            if (Interlocked.Increment(ref inFlight) > MaxInFlight)
            {
                Interlocked.Decrement(ref inFlight);
                return;
            }

            _ = AnswerAsync(datagram, from, stoppingToken);
        }, stoppingToken);
    }

    private async Task AnswerAsync(byte[] datagram, EndPoint from, CancellationToken stoppingToken)
    {
        try
        {
            if (await layer.HandleAsync(datagram, from.ToString()!, (from as IPEndPoint)?.Address, null, stoppingToken) is { } answer)
            {
                await socket!.SendToAsync(answer, SocketFlags.None, from, stoppingToken);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping, or an answer lost on the way: UDP, the device sends again.
        }
        catch (Exception exception)
        {
            LogFailed(exception, from.ToString()!);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A datagram from {Remote} could not be handled.")]
    private partial void LogFailed(Exception exception, string remote);
}
