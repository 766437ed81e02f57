using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Embever.Actors.Device.Link;

/// <summary>
/// The exchange and downloads over HTTP(S) (docs/gateway-protocol.md), with HTTP Basic. A sleepy
/// device's TCP connection does not outlive its sleep: each <see cref="Wake"/> starts a new one
/// (and over HTTPS a new TLS handshake). Bytes are counted below TLS. Thousands of simulated
/// devices share one pooled client instead (<see cref="HttpDeviceLink(HttpClient, Uri, string, string)"/>):
/// one machine cannot open a connection per wakeup at that rate; their bytes are not counted.
/// </summary>
public sealed class HttpDeviceLink : IDeviceLink
{
    private readonly Uri gateway;
    private readonly AuthenticationHeaderValue credentials;
    private readonly bool shared;
    private HttpClient client;

    public HttpDeviceLink(Uri gateway, string deviceId, string password)
    {
        this.gateway = gateway;
        credentials = Basic(deviceId, password);
        client = NewClient();
    }

    public HttpDeviceLink(HttpClient pool, Uri gateway, string deviceId, string password)
    {
        this.gateway = gateway;
        credentials = Basic(deviceId, password);
        client = pool;
        shared = true;
    }

    public WireCounter Wire { get; } = new();

    public async Task<JsonObject> ExchangeAsync(JsonObject request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/gateway/v1/exchange")) { Content = JsonContent.Create(request) };
        message.Headers.Authorization = credentials;
        using var response = await client.SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(body)!.AsObject() : throw new GatewayException($"{(int)response.StatusCode} {body}");
    }

    public async Task<string> DownloadAsync(string fileId, Stream destination, long offset)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway, $"/gateway/v1/files/{fileId}"));
        message.Headers.Authorization = credentials;
        if (offset > 0)
        {
            message.Headers.Range = new RangeHeaderValue(offset, null);
        }

        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new GatewayException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.CopyToAsync(destination);
        return response.Headers.ETag?.Tag.Trim('"') ?? "";
    }

    public void Wake()
    {
        if (!shared)
        {
            client.Dispose();
            client = NewClient();
        }
    }

    public void Dispose()
    {
        if (!shared)
        {
            client.Dispose();
        }
    }

    private static AuthenticationHeaderValue Basic(string deviceId, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{deviceId}:{password}")));

    private HttpClient NewClient() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new CountingStream(new NetworkStream(socket, ownsSocket: true), Wire);
        },
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    /// <summary>Counts what the TCP connection carries (TLS records included).</summary>
    private sealed class CountingStream(Stream inner, WireCounter wire) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                wire.CountReceived(read);
            }

            return read;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            wire.CountSent(buffer.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
