using System.Diagnostics;
using System.Net;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// A firmware rollout to a large fleet at once: imports N devices, uploads a firmware, then times
/// <c>POST /v2/deployments/</c> for all of them (one `_fota` action and update per device) and
/// checks the deployment lists every device and each has its update.
/// </summary>
public static class Deployment
{
    public sealed record Settings(int Devices, int ImageBytes);

    public static async Task RunAsync(LoadRun run, PlatformClient client, Settings settings)
    {
        var devices = await Provisioning.ImportDevicesAsync(client, settings.Devices, "rollout");
        using var firmware = await client.PostAsync("/v2/firmwares/", new
        {
            version = "2.0.0",
            alias = "load",
            dest = "APP",
            file = "data:application/octet-stream;base64," + Convert.ToBase64String(new byte[settings.ImageBytes]),
        });
        Tenant.Require(firmware, HttpStatusCode.Created);
        var firmwareId = (await PlatformClient.ReadJsonAsync(firmware))["id"]!.GetValue<string>();

        run.StartMeasuring();
        var due = Stopwatch.GetTimestamp();
        using var created = await client.PostAsync("/v2/deployments/", new { devices = devices.Select(d => d.Id), firmware = firmwareId });
        var recorder = run.Recorder("create-deployment");
        if (created.StatusCode == HttpStatusCode.Created)
        {
            recorder.Record(due);
        }
        else
        {
            recorder.Error($"HTTP {(int)created.StatusCode}");
        }

        run.StopMeasuring();
        var deployment = await PlatformClient.ReadJsonAsync(created);
        run.Figures["seconds_to_create"] = run.MeasuredTime.TotalSeconds;
        run.Figures["devices_per_second"] = settings.Devices / run.MeasuredTime.TotalSeconds;
        run.Check("the deployment lists every device", deployment["devices"]?.AsArray().Count == settings.Devices,
            $"{deployment["devices"]?.AsArray().Count ?? 0:N0} of {settings.Devices:N0}");

        using var updates = await client.GetAsync($"/v2/updates/?deployment={deployment["id"]}&limit=1");
        Tenant.Require(updates, HttpStatusCode.OK);
        var total = updates.Headers.TryGetValues("X-Total-Count", out var values) ? values.Single() : "0";
        run.Check("every device has its update", total == settings.Devices.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{total} updates");
    }
}
