using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// Webhook delivery: devices send events at a steady rate (open model); every event fires a
/// webhook to a receiver on loopback in this process, which measures end-to-end latency from
/// the moment the device sent the event. Afterwards every event must have arrived.
/// </summary>
public static class Webhooks
{
    public sealed record Settings(int Devices, double Rate, TimeSpan Duration, int MaxInFlight, string ReceiverHost);

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        var arrived = new ConcurrentDictionary<long, bool>();
        await using var receiver = await StartReceiverAsync(settings.ReceiverHost, run, arrived);
        var url = $"http://{settings.ReceiverHost}:{receiver.Port}/hook";
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "hooked");
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (device, _) =>
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/v2/devices/{device.Id}/")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { webhooks = new[] { new { type = "reading", url, payload_only = true } } }),
            });
            Tenant.Require(response, HttpStatusCode.OK);
        });

        var count = (long)(settings.Rate * settings.Duration.TotalSeconds);
        run.StartMeasuring();
        await using (Progress.Live(run))
        {
            await OpenLoop.RunAsync(count, settings.Rate, settings.MaxInFlight, async (i, due) =>
            {
                var device = devices[(int)(i % devices.Count)];
                var recorder = run.Recorder("exchange");
                try
                {
                    using var response = await client.ExchangeAsync(device.Id, device.Password,
                        $"{{\"events\":[{{\"type\":\"reading\",\"payload\":{{\"seq\":{i},\"sent\":{DateTime.UtcNow.Ticks}}}}}]}}");
                    await response.Content.LoadIntoBufferAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        recorder.Record(due);
                    }
                    else
                    {
                        recorder.Error($"HTTP {(int)response.StatusCode}");
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    recorder.Error(exception.GetType().Name);
                }
            }, CancellationToken.None);

            var sent = run.Recorder("exchange").Count;
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (arrived.Count < sent && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }

        run.StopMeasuring();
        var accepted = run.Recorder("exchange").Count;
        run.Figures["deliveries_per_second"] = arrived.Count / run.MeasuredTime.TotalSeconds;
        run.Check("every accepted event was delivered to its webhook", arrived.Count >= accepted, $"{arrived.Count:N0} delivered of {accepted:N0} accepted");
    }

    private static async Task<Receiver> StartReceiverAsync(string host, LoadRun run, ConcurrentDictionary<long, bool> arrived)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:0");
        var app = builder.Build();
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            var sent = new DateTime(body.RootElement.GetProperty("sent").GetInt64(), DateTimeKind.Utc);
            run.Recorder("delivery").Record(DateTime.UtcNow - sent);
            arrived[body.RootElement.GetProperty("seq").GetInt64()] = true;
            return Results.Ok();
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new Receiver(app, port);
    }

    private sealed record Receiver(WebApplication App, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
