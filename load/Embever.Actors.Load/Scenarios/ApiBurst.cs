using System.Net;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// Many API clients at once (open arrival model): 80% create an action for a random device,
/// 10% list a device's actions, 10% list devices with a filter and an offset.
/// </summary>
public static class ApiBurst
{
    public sealed record Settings(int Devices, double Rate, TimeSpan Duration, int MaxInFlight);

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "burst");
        var count = (long)(settings.Rate * settings.Duration.TotalSeconds);
        run.StartMeasuring();
        await using (Progress.Live(run))
        {
            await OpenLoop.RunAsync(count, settings.Rate, settings.MaxInFlight, async (i, due) =>
            {
                var device = devices[Random.Shared.Next(devices.Count)];
                var (name, request) = (i % 10) switch
                {
                    < 8 => ("create-action", Json(HttpMethod.Post, "/v2/actions/", new
                    {
                        device = new { id = device.Id },
                        type = $"setting{Random.Shared.Next(5)}",
                        service_level = Random.Shared.Next(3),
                        payload = new { value = i },
                    })),
                    8 => ("list-actions", new HttpRequestMessage(HttpMethod.Get, $"/v2/actions/?device={device.Id}&limit=20")),
                    _ => ("list-devices", new HttpRequestMessage(HttpMethod.Get, $"/v2/devices/?type=other&limit=100&offset={Random.Shared.Next(settings.Devices)}")),
                };
                var recorder = run.Recorder(name);
                try
                {
                    using var response = await client.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created)
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
        }

        run.StopMeasuring();
        run.Figures["requests_per_second"] = run.Recorders.Sum(r => r.Count) / run.MeasuredTime.TotalSeconds;
        var errors = run.Recorders.Sum(r => r.Errors);
        run.Check("no request failed", errors == 0, $"{errors:N0} errors");
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, object body) =>
        new(method, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
}
