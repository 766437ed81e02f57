using System.CommandLine;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Report;
using Embever.Actors.Load.Runner;
using Embever.Actors.Load.Scenarios;

// The load harness: one command per scenario (load/README.md). Each run prints a live progress
// line, measures a baseline first, and writes a Markdown, JSON and SVG report.
var targets = new Option<string[]>("--target") { Description = "Platform URL(s); requests are spread round-robin", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["http://localhost:5000"] };
var operatorToken = new Option<string>("--operator-token") { Description = "Operator token, or a file holding it", DefaultValueFactory = _ => "data/operator-token" };
var reports = new Option<string>("--reports") { Description = "Where reports go", DefaultValueFactory = _ => "load/reports" };
var baselineSeconds = new Option<int>("--baseline-seconds") { Description = "Length of the baseline measurement", DefaultValueFactory = _ => 10 };
var baselineWorkers = new Option<int>("--baseline-workers") { Description = "Concurrent clients of the baseline", DefaultValueFactory = _ => 64 };
var maxInFlight = new Option<int>("--max-in-flight") { Description = "Cap on concurrent requests (protects the load generator; waiting counts as latency)", DefaultValueFactory = _ => 2000 };
var devices = new Option<int?>("--devices") { Description = "Devices to provision" };
var rate = new Option<double?>("--rate") { Description = "Arrivals per second (open model)" };
var duration = new Option<int>("--duration") { Description = "Seconds of measured load", DefaultValueFactory = _ => 30 };
var fraction = new Option<double>("--fraction") { Description = "wake-storm: fraction of devices that wake", DefaultValueFactory = _ => 1.0 };
var window = new Option<int>("--window") { Description = "wake-storm: seconds within which they wake", DefaultValueFactory = _ => 60 };
var active = new Option<int>("--active") { Description = "fleet-1m: device grains to activate for the memory figures", DefaultValueFactory = _ => 100_000 };
var idleWait = new Option<int>("--idle-wait") { Description = "fleet-1m: seconds to wait for idle deactivation", DefaultValueFactory = _ => 300 };
var wakeupDuration = new Option<int>("--duration") { Description = "wakeups: seconds of each closed-loop phase (plain, one event)", DefaultValueFactory = _ => 10 };
var workers = new Option<int?>("--workers") { Description = "wakeups: closed-loop clients of the plain and one-event phases (default: --baseline-workers)" };
var stormDevices = new Option<int?>("--storm-devices") { Description = "wakeups: devices of each storm, saturating and at half rate (default: --devices)" };
var stormRate = new Option<double?>("--storm-rate") { Description = "wakeups: sessions per second offered to the saturating storm (default: the plain exchange rate)" };
var writeCredentials = new Option<string?>("--write-credentials") { Description = "wakeups: write the wakeup devices' id:password, one a line, to this file (for load/wrk/run.sh)" };
var fanOut = new Option<int>("--fan-out") { Description = "webhooks: deliveries of the fan-out phase (events on devices with 100 hooks each)", DefaultValueFactory = _ => 30_000 };
var receiverHost = new Option<string>("--receiver-host") { Description = "webhooks: address the receiver listens on, as the platform reaches it", DefaultValueFactory = _ => "127.0.0.1" };

var root = new RootCommand("Embever Actors load harness") { targets, operatorToken, reports, baselineSeconds, baselineWorkers, maxInFlight };
foreach (var option in new Option[] { targets, operatorToken, reports, baselineSeconds, baselineWorkers, maxInFlight })
{
    option.Recursive = true;
}

root.Subcommands.Add(Scenario("baseline", "GET /health as fast as it goes: the ceiling of this machine", [duration], (_, _, _) => Task.CompletedTask, withTenant: false));
var stormLists = new Option<double>("--lists") { Description = "wake-storm: device list pages per second beside the storm (first, filtered, deep)", DefaultValueFactory = _ => 0 };
root.Subcommands.Add(Scenario("wake-storm", "N devices with actions of service levels 0-2 wake within a window and run the protocol", [devices, fraction, window, rate, stormLists], (run, client, parse) =>
    WakeStorm.RunAsync(run, client, new WakeStorm.Settings(parse.GetValue(devices) ?? 100_000, parse.GetValue(fraction), TimeSpan.FromSeconds(parse.GetValue(window)), parse.GetValue(rate), parse.GetValue(maxInFlight), parse.GetValue(stormLists)))));
root.Subcommands.Add(Scenario("wakeups", "Plain wakeups, wakeups with one event, a saturating wake storm and one at half its rate, against one baseline", [devices, wakeupDuration, workers, stormDevices, stormRate, writeCredentials], (run, client, parse) =>
    Wakeups.RunAsync(run, client, new Wakeups.Settings(
        parse.GetValue(devices) ?? 2000, parse.GetValue(workers) ?? parse.GetValue(baselineWorkers), TimeSpan.FromSeconds(parse.GetValue(wakeupDuration)),
        parse.GetValue(stormDevices) ?? parse.GetValue(devices) ?? 2000, parse.GetValue(stormRate), parse.GetValue(maxInFlight), parse.GetValue(writeCredentials)))));
root.Subcommands.Add(Scenario("api-burst", "Many clients creating actions and listing, open model", [devices, rate, duration], (run, client, parse) =>
    ApiBurst.RunAsync(run, client, new ApiBurst.Settings(parse.GetValue(devices) ?? 1000, parse.GetValue(rate) ?? 500, TimeSpan.FromSeconds(parse.GetValue(duration)), parse.GetValue(maxInFlight)))));
var fleetStormDevices = new Option<int>("--storm-devices") { Description = "fleet-1m: devices of the storm run alone, during the import and beside overloading lists (0: no storm)", DefaultValueFactory = _ => 20_000 };
var fleetStormRate = new Option<double>("--storm-rate") { Description = "fleet-1m: exchanges per second of that storm (each with one event)", DefaultValueFactory = _ => 300 };
var overloadRate = new Option<double?>("--overload-rate") { Description = "fleet-1m: list pages per second offered in the overload phase (default: twice what the silo served to 32 clients just before; 0: no such phase)" };
var overloadDuration = new Option<int>("--overload-duration") { Description = "fleet-1m: seconds of the overload phase", DefaultValueFactory = _ => 20 };
root.Subcommands.Add(Scenario("fleet-1m", "A million devices: a storm during the import, list latency after it, lists under overload, memory and the store's log", [devices, rate, duration, active, idleWait, fleetStormDevices, fleetStormRate, overloadRate, overloadDuration], async (run, client, parse) =>
{
    using var operatorClient = new PlatformClient(Uris(parse));
    await operatorClient.AuthenticateAsync(ReadToken(parse.GetValue(operatorToken)!));
    await Fleet.RunAsync(run, client, operatorClient, new Fleet.Settings(
        parse.GetValue(devices) ?? 1_000_000, parse.GetValue(active), parse.GetValue(rate) ?? 50, TimeSpan.FromSeconds(parse.GetValue(duration)),
        TimeSpan.FromSeconds(parse.GetValue(idleWait)), parse.GetValue(maxInFlight),
        parse.GetValue(fleetStormDevices), parse.GetValue(fleetStormRate), parse.GetValue(overloadRate), TimeSpan.FromSeconds(parse.GetValue(overloadDuration))));
}));
var levels = new Option<int[]>("--levels") { Description = "handshakes: devices shaking hands at once, one phase each", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [32, 250, 1000, 2000] };
var perLevel = new Option<int>("--per-level") { Description = "handshakes: handshakes (each with one exchange) per phase", DefaultValueFactory = _ => 10_000 };
var handshakeCoaps = new Option<string>("--coaps") { Description = "handshakes: the gateway's CoAP over DTLS URL", DefaultValueFactory = _ => "coaps://127.0.0.1:5684" };
var saveSessions = new Option<string?>("--save-sessions") { Description = "handshakes: write every session made to this file (JSON lines), as the devices keep them" };
var siloPid = new Option<int?>("--silo-pid") { Description = "handshakes: read the silo's CPU time from /proc/<pid> (for a build whose diagnostics lack it)" };
var roundTrip = new Option<int>("--round-trip") { Description = "handshakes: a simulated radio link's round trip in ms (each datagram a device sends waits that long); 0: loopback as it is", DefaultValueFactory = _ => 0 };
var resumeSessions = new Option<string?>("--resume") { Description = "handshakes: instead, wake every device of this file once with its kept session (after a restart): how many need a handshake" };
root.Subcommands.Add(Scenario("handshakes", "DTLS handshakes at once from in-process devices, per concurrency; or, with --resume, kept sessions after a restart", [devices, levels, perLevel, handshakeCoaps, saveSessions, resumeSessions, siloPid, roundTrip], async (run, client, parse) =>
{
    using var operatorClient = new PlatformClient(Uris(parse));
    await operatorClient.AuthenticateAsync(ReadToken(parse.GetValue(operatorToken)!));
    await Handshakes.RunAsync(run, client, operatorClient, new Handshakes.Settings(
        parse.GetValue(devices) ?? 10_000, parse.GetValue(levels)!, parse.GetValue(perLevel), new Uri(parse.GetValue(handshakeCoaps)!),
        parse.GetValue(saveSessions), parse.GetValue(resumeSessions), 256, parse.GetValue(siloPid), TimeSpan.FromMilliseconds(parse.GetValue(roundTrip))));
}));
var pageEvents = new Option<long>("--events") { Description = "event-pages: events stored before the pages are read", DefaultValueFactory = _ => 10_000_000 };
var perExchange = new Option<int>("--per-exchange") { Description = "event-pages: events in each exchange that stores them", DefaultValueFactory = _ => 1000 };
root.Subcommands.Add(Scenario("event-pages", "A large event list read newest first: the first page, pages after a cursor and pages at an offset, side by side", [pageEvents, perExchange, devices, rate, duration], (run, client, parse) =>
    EventPages.RunAsync(run, client, new EventPages.Settings(
        parse.GetValue(pageEvents), parse.GetValue(devices) ?? 100, parse.GetValue(perExchange), parse.GetValue(rate) ?? 50, TimeSpan.FromSeconds(parse.GetValue(duration))))));
root.Subcommands.Add(Scenario("retention-sweep", "Expired events deleted by the retention sweeper beside a steady storm: deletion rate, storm p99 with and without the sweep (the silo needs Embever:Retention:Minimum and SweepInterval of 00:00:01)", [pageEvents, perExchange, devices, fleetStormDevices, fleetStormRate, duration], (run, client, parse) =>
    RetentionSweep.RunAsync(run, client, new RetentionSweep.Settings(
        parse.GetValue(pageEvents), parse.GetValue(devices) ?? 100, parse.GetValue(perExchange), parse.GetValue(fleetStormDevices), parse.GetValue(fleetStormRate),
        parse.GetValue(maxInFlight), TimeSpan.FromSeconds(parse.GetValue(duration))))));
root.Subcommands.Add(Scenario("webhooks", "Event webhooks to a loopback receiver at a saturating rate, at half of it, and fanned out: do deliveries keep pace?", [devices, rate, duration, fanOut, receiverHost], (run, client, parse) =>
    Webhooks.RunAsync(run, client, new Webhooks.Settings(
        parse.GetValue(devices) ?? 400, parse.GetValue(rate), TimeSpan.FromSeconds(parse.GetValue(duration)), parse.GetValue(fanOut), parse.GetValue(maxInFlight), parse.GetValue(receiverHost)!))));
root.Subcommands.Add(Scenario("deployment", "A firmware rollout to a large fleet: how long POST /v2/deployments/ takes", [devices], (run, client, parse) =>
    Deployment.RunAsync(run, client, new Deployment.Settings(parse.GetValue(devices) ?? 10_000, 256 * 1024))));
var groups = new Option<string>("--groups") { Description = "rollout: sizes of the successive groups, comma-separated (the devices left over form the last)", DefaultValueFactory = _ => "100,1000" };
var failureRate = new Option<double>("--failure-rate") { Description = "rollout: share of the devices whose update fails (a bad image: above --error-threshold it aborts)", DefaultValueFactory = _ => 0.01 };
var successThreshold = new Option<double>("--success-threshold") { Description = "rollout: share of a group that must succeed before the next starts", DefaultValueFactory = _ => 0.95 };
var errorThreshold = new Option<double>("--error-threshold") { Description = "rollout: failed share of the released devices that aborts", DefaultValueFactory = _ => 0.1 };
var maxPerMinute = new Option<int>("--max-per-minute") { Description = "rollout: _fota actions released per minute at most", DefaultValueFactory = _ => 3000 };
var wakeInterval = new Option<int>("--wake-interval") { Description = "rollout: seconds between a device's wakeups", DefaultValueFactory = _ => 20 };
var limit = new Option<int>("--limit") { Description = "rollout: seconds after which the run ends, over or not", DefaultValueFactory = _ => 900 };
var imageBytes = new Option<int>("--image-bytes") { Description = "rollout: size of the firmware image each device downloads", DefaultValueFactory = _ => 16 * 1024 };
root.Subcommands.Add(Scenario("rollout", "A staged rollout to a sleepy fleet with a chosen failure rate: groups, gates, pacing and abort over time, and the deployment's webhooks", [devices, groups, failureRate, successThreshold, errorThreshold, maxPerMinute, wakeInterval, limit, imageBytes, receiverHost], (run, client, parse) =>
    StagedRollout.RunAsync(run, client, new StagedRollout.Settings(
        parse.GetValue(devices) ?? 10_000,
        parse.GetValue(groups)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(g => int.Parse(g, System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        parse.GetValue(failureRate), parse.GetValue(successThreshold), parse.GetValue(errorThreshold), parse.GetValue(maxPerMinute),
        TimeSpan.FromSeconds(parse.GetValue(wakeInterval)), TimeSpan.FromSeconds(parse.GetValue(limit)), parse.GetValue(imageBytes), parse.GetValue(receiverHost)!, parse.GetValue(maxInFlight)))));
var coapUrl = new Option<string>("--coap") { Description = "coap: the gateway's plain CoAP URL", DefaultValueFactory = _ => "coap://127.0.0.1:5683" };
var coapsUrl = new Option<string>("--coaps") { Description = "coap: the gateway's CoAP over DTLS URL", DefaultValueFactory = _ => "coaps://127.0.0.1:5684" };
var httpsUrl = new Option<string?>("--https") { Description = "coap: the gateway's HTTPS URL, for the bytes of a wakeup over TLS" };
root.Subcommands.Add(Scenario("coap", "CoAP against HTTP: bytes on the wire per standard wakeup (with and without TLS/DTLS), plain exchanges/s over each", [wakeupDuration, workers, coapUrl, coapsUrl, httpsUrl], (run, client, parse) =>
    CoapWakeups.RunAsync(run, client, new CoapWakeups.Settings(
        parse.GetValue(workers) ?? parse.GetValue(baselineWorkers), TimeSpan.FromSeconds(parse.GetValue(wakeupDuration)),
        new Uri(parse.GetValue(coapUrl)!), new Uri(parse.GetValue(coapsUrl)!), parse.GetValue(httpsUrl) is { } https ? new Uri(https) : null))));
var reportFiles = new Argument<string[]>("reports") { Description = "Report .json files" };
var render = new Command("render", "Draws the picture (.svg) of reports again from their .json, e.g. after the plot changed") { reportFiles };
render.SetAction(parse =>
{
    foreach (var file in parse.GetValue(reportFiles)!)
    {
        var report = ReportWriter.Read(file);
        File.WriteAllText(Path.ChangeExtension(file, ".svg"), LatencyPlot.Render(report));
        Console.WriteLine(Path.ChangeExtension(file, ".svg"));
        if (report.Rollout is not null)
        {
            var rollout = Path.ChangeExtension(file, null) + "-rollout.svg";
            File.WriteAllText(rollout, RolloutPlot.Render(report));
            Console.WriteLine(rollout);
        }
    }
});
root.Subcommands.Add(render);
return await root.Parse(args).InvokeAsync();

Command Scenario(string name, string description, Option[] options, Func<LoadRun, PlatformClient, ParseResult, Task> body, bool withTenant = true)
{
    var command = new Command(name, description);
    foreach (var option in options)
    {
        command.Options.Add(option);
    }

    command.SetAction(async (parse, _) =>
    {
        var uris = Uris(parse);
        var run = new LoadRun(name, uris);
        foreach (var option in options.Concat([maxInFlight, baselineSeconds, baselineWorkers]))
        {
            if (parse.GetResult(option) is { } result && result.Implicit is false)
            {
                run.Parameters[option.Name.TrimStart('-')] = string.Join(" ", result.Tokens.Select(t => t.Value));
            }
        }

        using var anonymous = new PlatformClient(uris);
        if (!withTenant)
        {
            // The baseline scenario: the baseline is the measured operation itself.
            run.StartMeasuring();
        }

        run.Baseline = await Baseline.MeasureAsync(
            anonymous,
            TimeSpan.FromSeconds(withTenant ? parse.GetValue(baselineSeconds) : parse.GetValue(duration)),
            parse.GetValue(baselineWorkers),
            withTenant ? null : run.Recorder("health"));
        if (!withTenant)
        {
            run.StopMeasuring();
        }

        if (withTenant)
        {
            using var client = await Tenant.CreateAsync(uris, ReadToken(parse.GetValue(operatorToken)!), name);
            await body(run, client, parse);
        }

        var report = run.ToReport();
        var stem = ReportWriter.Write(report, parse.GetValue(reports)!);
        Console.WriteLine();
        Console.WriteLine(ReportWriter.Markdown(report));
        Progress.Line($"report: [bold]{stem}.md[/] (.json, .svg)");
        return report.Passed ? 0 : 1;
    });
    return command;
}

List<Uri> Uris(ParseResult parse) => parse.GetValue(targets)!.Select(t => new Uri(t)).ToList();

static string ReadToken(string value) => File.Exists(value) ? File.ReadAllText(value).Trim() : value;
