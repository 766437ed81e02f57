using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// A hostile corpus against every operation of the served OpenAPI document and the gateway,
/// with and without valid tokens: malformed JSON, invalid UTF-8 and lone surrogates, duplicate
/// keys, wrong types, unknown and missing fields, huge and deeply nested values, out-of-range
/// numbers and dates, wrong media types, odd path ids and query values, malformed chunked
/// bodies. No answer is a 5xx, every 4xx is problem+json, and nothing the tenant has changes.
/// </summary>
public abstract partial class HostileInputTests(PlatformFixture fixture, ITestOutputHelper output)
{
    /// <summary>Odd path ids. Not %00: Kestrel refuses a NUL in the request target itself, with an empty 400, before the platform sees it.</summary>
    private static readonly string[] OddIds =
    [
        "NoSuch01", "0", "-1", "99999999999999999999999", new string('a', 300), "%F0%9F%92%A9", "%FF%FE", "..%2F..%2Fetc", "'%20OR%201=1--", "%20",
    ];

    private static readonly string[] OddQueries =
    [
        "limit=-1", "limit=abc", "limit=99999999999999999999", "offset=-5", "offset=9223372036854775807", "offset=1e3",
        "device=%FF", "type=" + new string('x', 5000), "status=%00", "application=not-a-uuid", "activated=maybe", "limit=1&limit=2",
    ];

    /// <summary>Bodies no operation may accept: (content type, bytes).</summary>
    private static IEnumerable<(string Type, byte[] Body)> HostileBodies()
    {
        const string json = "application/json";
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        string[] fields = ["name", "alias", "application_token", "refresh", "type", "device", "secret", "firmware", "devices", "events", "acks", "cancelled", "expiry_date"];
        yield return (json, Utf8("{\"name\": "));
        yield return (json, Utf8("{\"a\":1}{"));
        yield return (json, Utf8("[1,2]"));
        yield return (json, Utf8("\"text\""));
        yield return (json, Utf8("null"));
        yield return (json, Utf8("{'name': 'single quotes'}"));
        yield return (json, [.. Utf8("{\"name\":\""), 0xFF, 0xFE, 0xC3, .. Utf8("\"}")]);
        yield return (json, [.. Utf8("{\""), 0xC0, 0xAF, .. Utf8("\":1}")]);
        yield return (json, Utf8(new string('[', 100) + new string(']', 100)));
        yield return (json, Utf8("{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 80)) + "1" + new string('}', 81)));
        yield return (json, Utf8("{\"zz_unknown\": 1}"));
        yield return (json, Utf8("{\"service_level\": 99999999999999999999, \"zz\": 1}"));
        yield return (json, Utf8("{\"limit\": 1e400}"));
        yield return (json, Utf8("{\"expiry_date\": \"9999-12-31T23:59:59.9999999Z\", \"zz\": 0}"));
        yield return (json, Utf8("{\"expiry_date\": \"0001-01-01T00:00:00Z\", \"zz\": 0}"));
        yield return ("text/plain", Utf8("{\"name\": \"x\"}"));
        yield return ("application/x-www-form-urlencoded", Utf8("name=x"));
        yield return (json, Utf8("{\"name\": \"" + new string('x', 300_000) + "\"}"));
        foreach (var field in fields)
        {
            yield return (json, Utf8($"{{\"{field}\": \"\\ud800\"}}"));
            yield return (json, Utf8($"{{\"{field}\": \"a\\u0000b\"}}"));
            yield return (json, Utf8($"{{\"{field}\": \"\\udfff x\", \"zz\": 1}}"));
            yield return (json, Utf8($"{{\"{field}\": 1, \"{field}\": 2}}"));
            yield return (json, Utf8($"{{\"{field}\": {{\"deep\": [[[[[[]]]]]]}}, \"{field}2\": null}}"));
        }

        yield return (json, Utf8("{\"cancelled\": 12345, \"cancelled\": true}"));
    }

    [Fact]
    public async Task Every_operation_refuses_a_hostile_corpus_with_4xx_problems_and_nothing_changes()
    {
        var (organisation, session, _) = await fixture.NewOrganisationAsync();
        var application = (await session.CreateApplicationAsync("kept"))["id"]!.GetValue<string>();
        var device = await DeviceSimulator.CreateAsync(fixture, session, "kept");
        var action = (await session.CreateActionAsync(new { device = new { id = device.Id }, type = "kept" }))["id"]!.GetValue<long>();
        var snapshot = () => SnapshotAsync(organisation);
        var before = await snapshot();

        var document = await ApiSession.Json(await fixture.Platform.CreateClient().GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var requests = new List<Func<HttpRequestMessage>>();
        var operations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, _) in item!.AsObject())
            {
                var verb = new HttpMethod(method.ToUpperInvariant());
                if (verb == HttpMethod.Head || verb == HttpMethod.Options)
                {
                    continue;
                }

                operations++;
                var hasBody = verb == HttpMethod.Post || verb == HttpMethod.Patch || verb == HttpMethod.Put;
                var real = Parameter().Replace(path, m => m.Value.Contains("device", StringComparison.OrdinalIgnoreCase) ? device.Id : path.Contains("/actions") ? action.ToString() : path.Contains("/applications") ? application : device.Id);
                var paths = OddIds.Select(id => Parameter().Replace(path, id)).Distinct().ToList();
                if (hasBody && path.Contains('{') && verb == HttpMethod.Patch)
                {
                    paths.Add(real);
                }
                else if (!path.Contains('{'))
                {
                    paths = [path];
                }

                foreach (var target in paths)
                {
                    foreach (var auth in Authorizations(session, device))
                    {
                        if (hasBody)
                        {
                            foreach (var (type, body) in HostileBodies())
                            {
                                requests.Add(() => Request(verb, target, auth, new ByteArrayContent(body) { Headers = { ContentType = MediaTypeHeaderValue.Parse(type) } }));
                            }
                        }
                        else
                        {
                            foreach (var query in OddQueries)
                            {
                                requests.Add(() => Request(verb, $"{target}?{query}", auth, null));
                            }
                        }
                    }
                }
            }
        }

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var http = fixture.Platform.CreateClient();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (make, _) =>
        {
            using var request = make();
            var what = $"{request.Method} {request.RequestUri} ({request.Headers.Authorization?.Scheme ?? "anonymous"})";
            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var type = response.Content.Headers.ContentType?.MediaType;
            if (status >= 500 || status < 400 && request.Method != HttpMethod.Get || status >= 400 && type != "application/problem+json")
            {
                var text = $"{what}: {status} {type} {await response.Content.ReadAsStringAsync()}";
                failures.Enqueue(text[..Math.Min(text.Length, 600)]);
            }
        });

        var chunked = await MalformedChunkedAsync(fixture.Platform.BaseAddress, ["/v2/devices/", "/v2/authenticate/", "/gateway/v1/exchange", "/v2/actions/"], session, device);
        output.WriteLine($"{requests.Count:N0} requests over {operations} operations, {chunked.Count} malformed chunked bodies; answers: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value:N0}")));
        Assert.True(requests.Count >= 3000, $"only {requests.Count} requests");
        Assert.True(failures.IsEmpty, $"{failures.Count} wrong answers, e.g.:\n{string.Join("\n", failures.Take(10))}");
        Assert.All(chunked, c => Assert.True(c.Status is >= 400 and < 500 && c.Problem, $"malformed chunked body to {c.Path}: {c.Status}, problem+json {c.Problem}"));
        Assert.Equal(before, await snapshot());

        // The one device used with valid credentials still works.
        Assert.Equal([action], (await device.WakeAsync()).ActionIds);
    }

    private static IEnumerable<AuthenticationHeaderValue?> Authorizations(ApiSession session, DeviceSimulator device) =>
    [
        null,
        session.Http.DefaultRequestHeaders.Authorization,
        new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJub25lIn0.eyJ1c2UiOiJhY2Nlc3MifQ."),
        new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{device.Id}:{device.Password}"))),
        new AuthenticationHeaderValue("Basic", Convert.ToBase64String([.. Encoding.UTF8.GetBytes("NoSuch01:"), 0xFF, 0xFE])),
    ];

    private static HttpRequestMessage Request(HttpMethod method, string path, AuthenticationHeaderValue? auth, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = auth;
        return request;
    }

    /// <summary>Bodies whose chunked framing is broken, sent on a raw socket (HttpClient cannot).</summary>
    private static async Task<List<(string Path, int Status, bool Problem)>> MalformedChunkedAsync(Uri baseAddress, string[] paths, ApiSession session, DeviceSimulator device)
    {
        string[] bodies = ["zz\r\n{}\r\n0\r\n\r\n", "3\r\n{}\r\n0\r\n\r\n", "ffffffffffffffffff\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n"];
        var results = new List<(string, int, bool)>();
        foreach (var path in paths)
        {
            var auth = path.StartsWith("/gateway", StringComparison.Ordinal)
                ? $"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes($"{device.Id}:{device.Password}"))}"
                : session.Http.DefaultRequestHeaders.Authorization!.ToString();
            foreach (var body in bodies)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
                var stream = client.GetStream();
                var head = $"POST {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head + body));

                // The socket stays open for sending: a client that closes its side has gone, and gets no answer.
                using var reader = new StreamReader(stream, Encoding.UTF8);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var answer = await reader.ReadToEndAsync(timeout.Token);
                var status = answer.Length > 12 && int.TryParse(answer.AsSpan(9, 3), out var code) ? code : 0;
                results.Add((path, status, answer.Contains("application/problem+json", StringComparison.OrdinalIgnoreCase)));
            }
        }

        return results;
    }

    /// <summary>Every row the tenant has, as it is stored.</summary>
    private async Task<string> SnapshotAsync(string organisation)
    {
        var database = fixture.Platform.Services.GetRequiredService<Database>();
        var parts = new List<string> { (await database.ScalarAsync<long>("SELECT count(*) FROM organisations")).ToString() };
        foreach (var table in new[] { "applications", "tokens", "devices", "actions", "events", "files", "firmwares", "deployments", "updates", "webhook_deliveries" })
        {
            var column = table == "files" ? "sha256" : "body";
            parts.AddRange(await database.QueryAsync($"SELECT {column} FROM {table} WHERE organisation_id = @o ORDER BY id", p => p.Add("o", organisation), r => r.GetString(0)));
        }

        return string.Join("\n", parts);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class HostileInputOnSqlite(SqlitePlatformFixture fixture, ITestOutputHelper output) : HostileInputTests(fixture, output);

[Collection(PostgresPlatformCollection.Name)]
public sealed class HostileInputOnPostgres(PostgresPlatformFixture fixture, ITestOutputHelper output) : HostileInputTests(fixture, output);
