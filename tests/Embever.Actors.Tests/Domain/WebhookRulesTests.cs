using System.Text.Json.Nodes;
using System.Net;
using Embever.Actors.Actions;
using Embever.Actors.Devices;
using Embever.Actors.Events;
using Embever.Actors.Webhooks;

namespace Embever.Actors.Tests.Domain;

public sealed class WebhookRulesTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2a00:1450:4001::200e", true)]
    public void Only_public_addresses_count_as_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, NetworkGuard.IsPublic(IPAddress.Parse(address)));

    /// <summary>An address from every block of the IANA special-purpose registries, and public ones.</summary>
    public static TheoryData<string, AddressKind> Addresses => new()
    {
        { "0.0.0.0", AddressKind.Unusable }, { "0.1.2.3", AddressKind.Unusable }, { "10.1.2.3", AddressKind.Internal },
        { "100.64.0.1", AddressKind.Internal }, { "100.127.255.254", AddressKind.Internal }, { "127.0.0.1", AddressKind.Loopback },
        { "127.255.0.9", AddressKind.Loopback }, { "169.254.169.254", AddressKind.Internal }, { "172.16.0.1", AddressKind.Internal },
        { "172.31.255.255", AddressKind.Internal }, { "192.0.0.8", AddressKind.Internal }, { "192.0.2.10", AddressKind.Internal },
        { "192.31.196.1", AddressKind.Internal }, { "192.52.193.1", AddressKind.Internal }, { "192.88.99.1", AddressKind.Internal },
        { "192.168.1.1", AddressKind.Internal }, { "192.175.48.1", AddressKind.Internal }, { "198.18.0.1", AddressKind.Internal },
        { "198.19.255.1", AddressKind.Internal }, { "198.51.100.7", AddressKind.Internal }, { "203.0.113.9", AddressKind.Internal },
        { "224.0.0.1", AddressKind.Unusable }, { "239.255.255.250", AddressKind.Unusable }, { "240.0.0.1", AddressKind.Unusable },
        { "255.255.255.255", AddressKind.Unusable }, { "::", AddressKind.Unusable }, { "::1", AddressKind.Loopback },
        { "::10.0.0.1", AddressKind.Internal }, { "::8.8.8.8", AddressKind.Internal }, { "::ffff:10.0.0.1", AddressKind.Internal },
        { "::ffff:127.0.0.1", AddressKind.Loopback }, { "::ffff:8.8.8.8", AddressKind.Public }, { "64:ff9b::a00:1", AddressKind.Internal },
        { "64:ff9b:1::1", AddressKind.Internal }, { "100::1", AddressKind.Internal }, { "2001::1", AddressKind.Internal },
        { "2001:db8::1", AddressKind.Internal }, { "2002:a00:1::1", AddressKind.Internal }, { "3fff::1", AddressKind.Internal },
        { "5f00::1", AddressKind.Internal }, { "fc00::1", AddressKind.Internal }, { "fd12:3456::1", AddressKind.Internal },
        { "fe80::1", AddressKind.Internal }, { "fec0::1", AddressKind.Internal }, { "ff02::1", AddressKind.Unusable },
        { "8.8.8.8", AddressKind.Public }, { "172.32.0.1", AddressKind.Public }, { "192.0.3.1", AddressKind.Public },
        { "2a00:1450:4001::200e", AddressKind.Public }, { "2001:4860:4860::8888", AddressKind.Public },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Every_special_purpose_block_is_known_and_reached_only_as_configured(string text, AddressKind kind)
    {
        var address = IPAddress.Parse(text);
        Assert.Equal(kind, AddressRanges.KindOf(address));
        var cluster = new WebhookOptions();
        var embedded = new WebhookOptions { AllowLoopback = true };
        var closedNetwork = new WebhookOptions { AllowPrivateNetworks = true };
        Assert.Equal(kind == AddressKind.Public, NetworkGuard.MayConnect(kind, cluster));
        Assert.Equal(kind is AddressKind.Public or AddressKind.Loopback, NetworkGuard.MayConnect(kind, embedded));
        Assert.Equal(kind != AddressKind.Unusable, NetworkGuard.MayConnect(kind, closedNetwork));
    }

    [Fact]
    public void The_hosts_own_addresses_count_as_loopback()
    {
        var own = new HashSet<IPAddress> { IPAddress.Parse("203.0.114.5") };
        Assert.Equal(AddressKind.Loopback, AddressRanges.KindOf(IPAddress.Parse("203.0.114.5"), own));
        Assert.Equal(AddressKind.Public, AddressRanges.KindOf(IPAddress.Parse("203.0.114.6"), own));
    }

    [Fact]
    public void Retries_back_off_exponentially_with_jitter_and_stop_at_the_deadline()
    {
        var schedule = new RetrySchedule(TimeSpan.FromSeconds(30), TimeSpan.FromHours(1), TimeSpan.FromHours(24));
        var random = new Random(7);
        var deadline = Now.AddHours(24);
        var first = schedule.NextAttempt(1, Now, deadline, random)!.Value - Now;
        var fourth = schedule.NextAttempt(4, Now, deadline, random)!.Value - Now;
        var late = schedule.NextAttempt(30, Now, deadline, random)!.Value - Now;
        Assert.InRange(first.TotalSeconds, 24, 36);
        Assert.InRange(fourth.TotalSeconds, 192, 288);
        Assert.InRange(late.TotalMinutes, 48, 72);
        Assert.Null(schedule.NextAttempt(3, deadline.AddMinutes(-1), deadline, random));
    }

    [Fact]
    public void Hooks_fire_for_matching_statuses_and_event_types_only()
    {
        var device = new DeviceView("dev", Guid.NewGuid(), Guid.NewGuid(), "d", true, "other",
            [new EventWebhook("temp", "https://a", false), new EventWebhook("temp", "https://b", true), new EventWebhook("gps", "https://c", false)], Now, null);
        var action = new DeviceAction
        {
            Id = 1, DeviceId = "dev", OrganisationId = device.OrganisationId, Type = "x", CreatedAt = Now,
            Webhooks = [new ActionWebhook(ActionStatuses.Sent, "https://s", false), new ActionWebhook(ActionStatuses.ResponseReceived, "https://r", true)],
        };
        action.Status[ActionStatuses.Sent] = Now;
        var planned = WebhookPlanner.Plan(device, [new ActionChange(action, ActionStatuses.Sent)], [new EventView(9, "dev", device.OrganisationId, "temp", "{\"c\":21}", Now)], Now, "https://api.example/");

        Assert.Equal(["https://s", "https://a", "https://b"], planned.Select(p => p.Url));
        Assert.All(planned, p => Assert.Equal(device.ApplicationId, p.ApplicationId));
        Assert.Equal(ActionStatuses.Sent, planned[0].Trigger);
        Assert.True(planned[2].PayloadOnly);

        // Bodies are rendered when the hook fires: the resource as the API shows it, under the
        // public URL, or with payload_only the event's payload as it came.
        var body = JsonNode.Parse(planned[0].Body)!;
        Assert.Equal("https://api.example/v2/actions/1/", body["url"]!.GetValue<string>());
        Assert.Equal("d", body["device"]!["name"]!.GetValue<string>());
        Assert.Equal([ActionStatuses.Sent], body["status"]!.AsObject().Select(s => s.Key));
        Assert.Equal("https://api.example/v2/events/9/", JsonNode.Parse(planned[1].Body)!["url"]!.GetValue<string>());
        Assert.Equal("{\"c\":21}", planned[2].Body);
    }
}
