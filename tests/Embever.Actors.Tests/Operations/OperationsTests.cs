using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Embever.Actors.Device.Link;
using Embever.Actors.Silo.Admin;
using Embever.Actors.Tests.Cluster;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Operations;

/// <summary>What an operator watches and runs the platform with: metrics, the dashboard, the admin command.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class OperationsTests(OperatedSilo operated) : IClassFixture<OperatedSilo>
{
    [Fact]
    public async Task Metrics_count_exchanges_actions_events_commits_and_webhooks_and_only_the_operator_scrapes_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var session = await ApiSession.AuthenticateAsync(operated.Silo.BaseAddress, operated.OrganisationToken);
        var before = await ScrapeAsync();
        var device = await session.CreateDeviceAsync($"metered-{Guid.NewGuid():N}");
        var simulator = new DeviceSimulator(operated.Silo.BaseAddress, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
        var hooked = await session.CreateActionAsync(new
        {
            device = new { id = simulator.Id },
            type = "setSettings",
            service_level = 1,
            webhooks = new[] { new { status = "action_delivered", url = receiver.Url("delivered") } },
        });
        await session.CreateActionAsync(new { device = new { id = simulator.Id }, type = "getPosition" });

        // Three exchanges: two actions out, an event in, then the ack of the first; and one refused.
        var first = await simulator.WakeAsync(events: [new { type = "temp", payload = new { celsius = 21.5 } }]);
        Assert.Equal(2, first.Actions.Count);
        await simulator.WakeAsync(acks: [hooked["id"]!.GetValue<long>()]);
        var stranger = new DeviceSimulator(operated.Silo.BaseAddress, simulator.Id, "not-the-password");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.SendAsync(new { })).StatusCode);
        await Eventually(() => receiver.Received.Any(r => r.Path == "/delivered"));

        var after = await Eventually(async () =>
        {
            var scraped = await ScrapeAsync();
            return Delta(before, scraped, "embever_webhooks_deliveries_total", "outcome=\"delivered\"") >= 1 ? scraped : null;
        });
        Assert.Equal(2, Delta(before, after, "embever_gateway_exchanges_total", "outcome=\"ok\"", "transport=\"http\""));
        Assert.Equal(1, Delta(before, after, "embever_gateway_exchanges_total", "outcome=\"unauthorized\""));
        Assert.Equal(2, Delta(before, after, "embever_actions_created_total"));
        Assert.Equal(2, Delta(before, after, "embever_actions_statuses_total", "status=\"action_sent\""));
        Assert.Equal(1, Delta(before, after, "embever_actions_statuses_total", "status=\"action_delivered\""));
        Assert.Equal(1, Delta(before, after, "embever_events_stored_total"));
        Assert.Equal(1, Delta(before, after, "embever_webhooks_deliveries_total", "outcome=\"delivered\""));
        Assert.Equal(1, Delta(before, after, "embever_webhooks_latency_seconds_count"));
        Assert.True(Delta(before, after, "embever_store_commits_total", "outcome=\"committed\"") >= 4);
        Assert.True(Delta(before, after, "embever_store_commit_duration_seconds_count") >= 4);
        Assert.True(Value(after, "embever_devices_active") >= 1);
        Assert.Contains("orleans_", after);
        Assert.Contains("http_server_request_duration_seconds", after);

        // Not for tenants: an organisation's token is refused, as Basic or as a bearer access token.
        using var tenantBasic = operated.OperatorBasic(operated.OrganisationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenantBasic.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await session.Get("/metrics")).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = operated.Silo.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Coap_handshakes_by_outcome_sessions_and_exchanges_are_counted()
    {
        var session = await ApiSession.AuthenticateAsync(operated.Silo.BaseAddress, operated.OrganisationToken);
        var device = await session.CreateDeviceAsync($"coap-metered-{Guid.NewGuid():N}");
        var (id, password) = (device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());
        var before = await ScrapeAsync();

        using (var link = DeviceLinks.Open(operated.Coaps, id, password, cbor: true))
        {
            await link.ExchangeAsync([]);
            await link.ExchangeAsync([]);
            Assert.ThrowsAny<Org.BouncyCastle.Tls.TlsException>(() => DeviceLinks.Open(operated.Coaps, id, "not-the-password"));
            Assert.ThrowsAny<Org.BouncyCastle.Tls.TlsException>(() => DeviceLinks.Open(operated.Coaps, "NoSuchId", password));
            var after = await ScrapeAsync();
            Assert.Equal(1, Delta(before, after, "embever_coap_handshakes_total", "outcome=\"completed\""));
            Assert.Equal(1, Delta(before, after, "embever_coap_handshakes_total", "outcome=\"wrong_key\""));
            Assert.Equal(1, Delta(before, after, "embever_coap_handshakes_total", "outcome=\"unknown_identity\""));
            Assert.Equal(1, Delta(before, after, "embever_coap_sessions"));
            Assert.Equal(2, Delta(before, after, "embever_gateway_exchanges_total", "outcome=\"ok\"", "transport=\"coap\""));
        }
    }

    [Fact]
    public async Task The_dashboard_answers_only_the_operator()
    {
        using var anonymous = new HttpClient { BaseAddress = operated.Silo.BaseAddress };
        var refused = await anonymous.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(refused.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        var tenant = await ApiSession.AuthenticateAsync(operated.Silo.BaseAddress, operated.OrganisationToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.Get("/dashboard/")).StatusCode);
        using var wrong = operated.OperatorBasic("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/dashboard/")).StatusCode);

        using var operatorBasic = operated.OperatorBasic();
        var page = await operatorBasic.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var counters = await operatorBasic.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        Assert.Contains("totalActiveHostCount", await counters.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // The operator's access token opens it too.
        var operatorSession = await ApiSession.AuthenticateAsync(operated.Silo.BaseAddress, operated.OperatorToken);
        Assert.Equal(HttpStatusCode.OK, (await operatorSession.Get("/dashboard/DashboardCounters")).StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_admin_command_makes_an_organisation_a_token_and_imports_devices_that_then_exchange()
    {
        var work = Directory.CreateTempSubdirectory("embever-admin-").FullName;
        string[] common = ["--url", operated.Silo.BaseAddress.ToString(), "--operator-token-file", Path.Combine(operated.DataDirectory, "operator-token")];

        var created = await AdminAsync(["organisations", "create", "--name", "Admin Corp", .. common]);
        var organisation = OrganisationLine().Match(created).Groups[1].Value;
        Assert.True(Guid.TryParse(organisation, out _), created);
        Assert.Contains($"{organisation}  Admin Corp", await AdminAsync(["organisations", "list", .. common]));

        var token = await AdminAsync(["tokens", "create", "--organisation", organisation, "--alias", "provisioning", .. common]);
        var jwt = TokenLine().Match(token).Groups[1].Value;
        var session = await ApiSession.AuthenticateAsync(operated.Silo.BaseAddress, jwt);

        var csv = Path.Combine(work, "devices.csv");
        await File.WriteAllTextAsync(csv, "name,comment\nline-1,first\n\"line, 2\",second\n");
        var passwords = Path.Combine(work, "passwords.csv");
        Assert.Contains("imported 2 device(s)", await AdminAsync(["devices", "import", "--organisation", organisation, "--csv", csv, "--passwords", passwords, .. common]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwords));
        var rows = (await File.ReadAllLinesAsync(passwords)).Skip(1).ToList();
        Assert.Equal(2, rows.Count);
        Assert.EndsWith("\"line, 2\"", rows[1][..rows[1].LastIndexOf(',')], StringComparison.Ordinal);

        // An imported device wakes with its password, and the new token sees it.
        var (id, password) = (rows[0].Split(',')[0], rows[0].Split(',')[^1]);
        await new DeviceSimulator(operated.Silo.BaseAddress, id, password).WakeAsync(events: [new { type = "hello" }]);
        var listed = await ApiSession.Json(await session.Get($"/v2/events/?device={id}"), HttpStatusCode.OK);
        Assert.Single(listed.AsArray());

        // A secret rotated; the admin's own short-lived tokens are gone; a refusal is one line and exit 1.
        Assert.Matches("^secret \\S{16,}", await AdminAsync(["organisations", "rotate-secret", "--organisation", organisation, .. common]));
        var rotated = await AdminAsync(["keys", "rotate", .. common]);
        Assert.Matches("^signing key [0-9a-f]{16} signs from now on", rotated);
        Assert.Contains($"{rotated.Split(' ')[2]}  made", await AdminAsync(["keys", "list", .. common]));
        var tokens = await ApiSession.Json(await session.Get("/v2/tokens/"), HttpStatusCode.OK);
        Assert.Equal(["provisioning"], tokens.AsArray().Select(t => t!["alias"]!.GetValue<string>()));
        var (code, _, error) = await RunAdminAsync(["tokens", "revoke", "--organisation", organisation, "--token", "999999", .. common]);
        Assert.Equal(1, code);
        Assert.StartsWith("admin: DELETE /v2/tokens/999999/: 404", error.Trim());
        Assert.Equal(1, (await RunAdminAsync(["devices", "import", "--organisation", organisation, "--csv", csv, "--passwords", passwords, .. common])).Code);
        Directory.Delete(work, recursive: true);
    }

    private static async Task<string> AdminAsync(string[] args)
    {
        var (code, output, error) = await RunAdminAsync(args);
        Assert.True(code == 0, $"admin {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }

    private static async Task<(int Code, string Output, string Error)> RunAdminAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AdminCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string> ScrapeAsync()
    {
        using var http = operated.OperatorBasic();
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a metric's samples whose labels include every one given.</summary>
    private static double Value(string scrape, string metric, params string[] labels) =>
        scrape.Split('\n')
            .Where(line => line.StartsWith(metric, StringComparison.Ordinal) && (line.Length == metric.Length || line[metric.Length] is '{' or ' '))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line.Split(' ')[^1].Split(' ')[0], CultureInfo.InvariantCulture));

    private static double Delta(string before, string after, string metric, params string[] labels) =>
        Value(after, metric, labels) - Value(before, metric, labels);

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }

    private static async Task<T> Eventually<T>(Func<Task<T?>> attempt)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await attempt() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex("^organisation (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex OrganisationLine();

    [GeneratedRegex("^token (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex TokenLine();
}
