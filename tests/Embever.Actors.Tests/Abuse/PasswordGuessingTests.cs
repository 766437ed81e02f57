using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Embever.Actors.Api.Gateway;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Abuse;

/// <summary>
/// Credentials first, budget second (the shipped failure budgets): wrong passwords are charged
/// to the address they come from, never to the device, so guessing cannot lock a device out; and
/// an unknown id and a wrong password are answered alike. The attacker sends from an address of
/// its own on loopback (127.0.7.1, another /24 than the device's 127.0.0.1).
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
public sealed class PasswordGuessingTests(ITestOutputHelper output)
{
    private static readonly GatewayOptions Shipped = new();

    [Fact]
    public async Task A_thousand_wrong_passwords_in_a_minute_throttle_the_guessing_address_and_leave_the_device_answered()
    {
        await using var silo = await StartAsync();
        var (id, password) = await CreateDeviceAsync(silo);
        var device = new DeviceSimulator(silo.BaseAddress, id, password);
        using var attacker = From(silo, "127.0.7.1");

        // The device wakes every 50 ms while the attacker sends 1,000 wrong passwords for it, 100 a second.
        using var stop = new CancellationTokenSource();
        var deviceAnswers = new List<HttpStatusCode>();
        var waking = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                deviceAnswers.Add((await device.SendAsync(new { })).StatusCode);
                await Task.Delay(50);
            }
        });
        var guesses = new List<HttpStatusCode>();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < 1_000; i++)
        {
            using var response = await ExchangeAsync(attacker, id, $"guess-{i}");
            guesses.Add(response.StatusCode);
            await Task.Delay(10);
        }

        var guessing = started.Elapsed;
        await stop.CancelAsync();
        await waking;

        var refused = guesses.Count(s => s == HttpStatusCode.Unauthorized);
        var throttled = guesses.Count(s => s == HttpStatusCode.TooManyRequests);
        output.WriteLine($"1,000 wrong passwords in {guessing.TotalSeconds:N1} s: {refused} × 401, {throttled} × 429; the device meanwhile: {deviceAnswers.Count} exchanges, " +
            $"{deviceAnswers.Count(s => s == HttpStatusCode.OK)} × 200, {deviceAnswers.Count(s => s == HttpStatusCode.TooManyRequests)} × 429");
        Assert.True(guessing < TimeSpan.FromMinutes(1));
        Assert.All(deviceAnswers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.True(deviceAnswers.Count >= 50, $"{deviceAnswers.Count} device exchanges");
        Assert.Equal(1_000, refused + throttled);
        Assert.InRange(refused, Shipped.FailedAttemptsPerAddress, Shipped.FailedAttemptsPerAddress + 5);

        // Still throttled: a made-up id gets the same 429 as the real one.
        using var real = await ExchangeAsync(attacker, id, "again");
        using var madeUp = await ExchangeAsync(attacker, "zzzzzzzz", "again");
        Assert.Equal(HttpStatusCode.TooManyRequests, real.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, madeUp.StatusCode);
        Assert.Equal(await BodyAsync(real), await BodyAsync(madeUp));
        Assert.NotNull(real.Headers.RetryAfter?.Delta);

        // A device behind the attacker's address (a shared NAT) whose password checks out is not held back.
        using var sameAddress = From(silo, "127.0.7.1", id, password);
        Assert.Equal(HttpStatusCode.OK, (await sameAddress.PostAsync("/gateway/v1/exchange", Json("{}"))).StatusCode);

        var scrape = await MetricsAsync(silo);
        Assert.True(Value(scrape, "embever_gateway_refusals_total", "reason=\"wrong_password\"") >= refused);
        Assert.True(Value(scrape, "embever_gateway_refusals_total", "reason=\"source_throttled\"") >= throttled);
        Assert.Equal(0, Value(scrape, "embever_gateway_refusals_total", "reason=\"device_rate_limited\""));
    }

    [Fact]
    public async Task An_unknown_id_and_a_wrong_password_get_the_same_status_headers_and_body()
    {
        await using var silo = await StartAsync();
        var (id, _) = await CreateDeviceAsync(silo);
        var wrong = new List<double>();
        var unknown = new List<double>();
        for (var i = 0; i < 100; i++)
        {
            // Alternating which goes first, from a prober address each (one /24: within its
            // network's budget) on a connection already open, so both see the same warm-up, the
            // same machine and a budget that is not spent.
            using var prober = From(silo, $"127.0.8.{1 + i}");
            (await prober.GetAsync("/health")).Dispose();
            var wrongFirst = i % 2 == 0;
            using var first = await TimedAsync(prober, wrongFirst ? id : $"unkn{i:D4}", $"wrong-{i}", wrongFirst ? wrong : unknown);
            using var second = await TimedAsync(prober, wrongFirst ? $"unkn{i:D4}" : id, $"wrong-{i}", wrongFirst ? unknown : wrong);
            var (wrongAnswer, unknownAnswer) = wrongFirst ? (first, second) : (second, first);

            Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, unknownAnswer.StatusCode);
            Assert.Equal(string.Join(';', wrongAnswer.Headers.WwwAuthenticate), string.Join(';', unknownAnswer.Headers.WwwAuthenticate));
            Assert.Equal(wrongAnswer.Content.Headers.ContentType?.MediaType, unknownAnswer.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await BodyAsync(wrongAnswer), await BodyAsync(unknownAnswer));
        }

        output.WriteLine($"median answer: wrong password {Median(wrong):N2} ms, unknown id {Median(unknown):N2} ms ({wrong.Count} each, taking turns to go first)");
    }

    private static Task<CrashableSilo> StartAsync() => CrashableSilo.StartAsync(
        StoreKind.Sqlite,
        $"--Embever:Gateway:FailedAttemptsPerAddress={Shipped.FailedAttemptsPerAddress}",
        $"--Embever:Gateway:FailedAttemptsPerNetwork={Shipped.FailedAttemptsPerNetwork}");

    private static async Task<(string Id, string Password)> CreateDeviceAsync(CrashableSilo silo)
    {
        var session = await silo.SessionAsync();
        var device = await session.CreateDeviceAsync($"guessed-{Guid.NewGuid():N}");
        return (device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="address"/>, with a device's credentials when given.</summary>
    private static HttpClient From(CrashableSilo silo, string address, string? id = null, string? password = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{silo.BaseAddress.Port}") };
        if (id is not null)
        {
            http.DefaultRequestHeaders.Authorization = Basic(id, password!);
        }

        return http;
    }

    private static async Task<HttpResponseMessage> ExchangeAsync(HttpClient http, string id, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/exchange") { Content = Json("{}") };
        request.Headers.Authorization = Basic(id, password);
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> TimedAsync(HttpClient http, string id, string password, List<double> times)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await ExchangeAsync(http, id, password);
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return response;
    }

    private static AuthenticationHeaderValue Basic(string id, string password) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{password}")));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The problem document without its per-request trace id.</summary>
    private static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        body.Remove("trace_id");
        return body.ToJsonString();
    }

    private static async Task<string> MetricsAsync(CrashableSilo silo)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        http.DefaultRequestHeaders.Authorization = Basic("operator", silo.ReadTokenFile("operator-token"));
        return await http.GetStringAsync("/metrics");
    }

    private static double Value(string scrape, string metric, string label) =>
        scrape.Split('\n')
            .Where(line => line.StartsWith(metric, StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture));

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
