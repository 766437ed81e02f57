using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Tests.Infrastructure;

/// <summary>
/// A real HTTP receiver on loopback (Kestrel) that records every webhook request. Its answer is
/// programmable: a status per request, or holding requests until released.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<int> scriptedStatuses = new();
    private TaskCompletionSource gate = Released();
    private int open;
    private int mostOpen;

    private WebhookReceiver(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public int Port { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The most requests this receiver has had open at once (held ones included).</summary>
    public int MostOpen => Volatile.Read(ref mostOpen);

    /// <summary>Answer for requests when no scripted status is left.</summary>
    public int DefaultStatus { get; set; } = 200;

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path.TrimStart('/')}";

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver!.Received.Enqueue(new ReceivedWebhook(context.Request.Path, headers, body, DateTime.UtcNow));
            var now = Interlocked.Increment(ref receiver.open);
            for (var most = receiver.mostOpen; now > most && Interlocked.CompareExchange(ref receiver.mostOpen, now, most) != most; most = receiver.mostOpen)
            {
            }

            try
            {
                await receiver.gate.Task.WaitAsync(context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref receiver.open);
            }

            context.Response.StatusCode = receiver.scriptedStatuses.TryDequeue(out var status) ? status : receiver.DefaultStatus;
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        receiver = new WebhookReceiver(app, address.Port);
        return receiver;
    }

    /// <summary>The next requests get these statuses, in order.</summary>
    public void Script(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            scriptedStatuses.Enqueue(status);
        }
    }

    /// <summary>From now on requests are held unanswered until <see cref="Release"/>.</summary>
    public void Hold() => gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => gate.TrySetResult();

    public IReadOnlyList<ReceivedWebhook> At(string path) => Received.Where(r => r.Path == "/" + path.TrimStart('/')).ToList();

    /// <summary>Waits until at least <paramref name="count"/> requests arrived at the path.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(string path, int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (At(path).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var received = At(path);
        Assert.True(received.Count >= count, $"expected {count} webhook(s) at {path}, got {received.Count}");
        return received;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }
}

public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTime At)
{
    public System.Text.Json.Nodes.JsonNode? Json => System.Text.Json.Nodes.JsonNode.Parse(Body);
}
