using System.CommandLine;
using System.Text.Json.Nodes;
using Embever.Actors.Device;
using Embever.Actors.Device.Link;

// A device for firmware teams (load/README.md): plays one device over HTTP, CoAP or CoAP over
// DTLS and prints what goes over the wire.
var gateway = new Option<string>("--gateway") { Description = "http(s)://host:port, coap://host:5683 or coaps://host:5684", Required = true, Recursive = true };
var device = new Option<string>("--device") { Description = "The device id (the PSK identity over coaps)", Required = true, Recursive = true };
var password = new Option<string>("--password") { Description = "Its password (the PSK over coaps)", Required = true, Recursive = true };
var cbor = new Option<bool>("--cbor") { Description = "CoAP: the compact CBOR form instead of JSON", Recursive = true };
var noConnectionId = new Option<bool>("--no-connection-id") { Description = "coaps: do not ask for a Connection ID", Recursive = true };
var sessionFile = new Option<string?>("--session") { Description = "coaps: keep the DTLS session in this file across runs (the device's RAM across its sleep): a handshake only when it is missing", Recursive = true };
var events = new Option<string[]>("--event") { Description = "An event to send: type=JSON payload (repeatable)", AllowMultipleArgumentsPerToken = false };
var wakeups = new Option<int>("--wakeups") { Description = "How many wakeups", DefaultValueFactory = _ => 1 };
var sleep = new Option<double>("--sleep") { Description = "Seconds asleep between wakeups", DefaultValueFactory = _ => 5 };
var rebind = new Option<bool>("--rebind") { Description = "Take a new UDP port at each wakeup, as a NAT does (coaps with a Connection ID goes on without a handshake)" };
var file = new Argument<string>("file") { Description = "The file id (from a getFile or _fota action)" };
var output = new Option<string>("--out") { Description = "Where the file goes; an existing partial file is resumed", Required = true };
var body = new Argument<string>("json") { Description = "The exchange request as JSON, e.g. {\"acks\": [12]}", DefaultValueFactory = _ => "{}" };

var root = new RootCommand("Plays one Embever device against the gateway, printing what goes over the wire.") { gateway, device, password, cbor, noConnectionId, sessionFile };

var play = new Command("wake", "Wakes up (one or more times): sends the events, acknowledges and answers the actions received, downloads their files") { events, wakeups, sleep, rebind };
play.SetAction(async parse =>
{
    using var link = Open(parse);
    var simulated = new SimulatedDevice(link, Console.WriteLine);
    for (var i = 1; i <= parse.GetValue(wakeups); i++)
    {
        if (i > 1)
        {
            await Task.Delay(TimeSpan.FromSeconds(parse.GetValue(sleep)));
            if (parse.GetValue(rebind) && link is CoapDeviceLink coap)
            {
                coap.Coap.Channel.Rebind();
                Console.WriteLine("(a new UDP port, as after a NAT rebinding)");
            }
        }

        var before = link.Wire.Snapshot();
        Console.WriteLine($"wakeup {i}");
        var result = await simulated.WakeAsync(Events(parse.GetValue(events) ?? []));
        var after = link.Wire.Snapshot();
        Console.WriteLine($"  {result.Exchanges} exchange(s), {after.Sent - before.Sent} B sent, {after.Received - before.Received} B received");
    }
});

var exchange = new Command("exchange", "Sends one exchange as given and prints the answer") { body };
exchange.SetAction(async parse =>
{
    using var link = Open(parse);
    Console.WriteLine(await link.ExchangeAsync(JsonNode.Parse(parse.GetValue(body)!)!.AsObject()));
});

var download = new Command("download", "Downloads a file, resuming a partial one") { file, output };
download.SetAction(async parse =>
{
    using var link = Open(parse);
    var path = parse.GetValue(output)!;
    await using var destination = new FileStream(path, FileMode.Append);
    var offset = destination.Length;
    var etag = await link.DownloadAsync(parse.GetValue(file)!, destination, offset);
    Console.WriteLine($"{path}: {destination.Length} B ({(offset > 0 ? $"resumed at {offset}" : "whole")}), ETag {etag}");
});

root.Subcommands.Add(play);
root.Subcommands.Add(exchange);
root.Subcommands.Add(download);
return await root.Parse(args).InvokeAsync();

IDeviceLink Open(ParseResult parse) =>
    DeviceLinks.Open(new Uri(parse.GetValue(gateway)!), parse.GetValue(device)!, parse.GetValue(password)!, parse.GetValue(cbor), !parse.GetValue(noConnectionId), Console.WriteLine, parse.GetValue(sessionFile));

static IEnumerable<JsonObject> Events(IEnumerable<string> given) => given.Select(e =>
{
    var at = e.IndexOf('=');
    return at < 0
        ? new JsonObject { ["type"] = e }
        : new JsonObject { ["type"] = e[..at], ["payload"] = JsonNode.Parse(e[(at + 1)..]) };
});
