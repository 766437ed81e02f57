using Embever.Actors.Tests.Infrastructure;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Tests.Domain;

/// <summary>Requests in flight per target and per silo, and each target's circuit.</summary>
public sealed class WebhookTargetsTests
{
    private const string Slow = "http://slow.example:8080";
    private const string Fine = "https://fine.example";
    private readonly ManualTime time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    private WebhookTargets Targets(int perTarget = 2, int perSilo = 3, int failures = 3) => new(
        Options.Create(new WebhookOptions
        {
            MaxInFlightPerTarget = perTarget, MaxInFlightPerSilo = perSilo, CircuitFailures = failures,
            CircuitOpenFor = TimeSpan.FromSeconds(30), CircuitMaxOpenFor = TimeSpan.FromSeconds(100),
        }),
        time);

    [Fact]
    public void A_target_is_its_scheme_host_and_port()
    {
        Assert.Equal("http://slow.example:8080", WebhookTargets.KeyOf("http://slow.example:8080/a/b?c=d"));
        Assert.Equal("https://fine.example:443", WebhookTargets.KeyOf("https://fine.example/hook"));
        Assert.NotEqual(WebhookTargets.KeyOf("http://h:1/x"), WebhookTargets.KeyOf("http://h:2/x"));
        Assert.NotEqual(WebhookTargets.KeyOf("http://h/x"), WebhookTargets.KeyOf("https://h/x"));
    }

    [Theory]
    [InlineData("https://HANG.example:443/b")]
    [InlineData("https://hang.example./c?d=e")]
    [InlineData("HTTPS://Hang.Example/")]
    [InlineData("https://user:secret@hang.example:443/f#g")]
    public void Spellings_of_one_receiver_are_one_target(string spelling) =>
        Assert.Equal(WebhookTargets.KeyOf("https://hang.example/a"), WebhookTargets.KeyOf(spelling));

    [Fact]
    public void An_international_host_is_one_target_in_either_form_and_ip_literals_keep_their_port()
    {
        Assert.Equal(WebhookTargets.KeyOf("https://xn--bcher-kva.example/a"), WebhookTargets.KeyOf("https://BÜCHER.example/b"));
        Assert.Equal("http://[::1]:80", WebhookTargets.KeyOf("http://[0:0::1]/x"));
        Assert.Equal("http://127.0.0.1:80", WebhookTargets.KeyOf("http://127.0.0.1/x"));
    }

    [Fact]
    public void A_busy_target_leaves_room_for_others_up_to_the_silo_limit()
    {
        var targets = Targets();
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
        Assert.Equal(Admission.Busy, targets.TryEnter(Slow));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Fine));
        Assert.Equal(Admission.Busy, targets.TryEnter(Fine));
        Assert.Equal(3, targets.InFlight);

        targets.Leave(Slow, true);
        Assert.Equal(Admission.Admitted, targets.TryEnter(Fine));
    }

    [Fact]
    public void The_circuit_opens_after_failures_in_a_row_lets_one_probe_through_and_doubles_while_probes_fail()
    {
        var targets = Targets(perTarget: 10, perSilo: 10);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
            targets.Leave(Slow, false);
        }

        // A success in between starts the count again.
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
        targets.Leave(Slow, true);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
            targets.Leave(Slow, false);
        }

        Assert.Equal(Admission.Open, targets.TryEnter(Slow));
        Assert.Equal(time.GetUtcNow().UtcDateTime.AddSeconds(30), targets.OpenUntil(Slow));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Fine));

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
        Assert.Equal(Admission.Busy, targets.TryEnter(Slow));
        targets.Leave(Slow, false);
        Assert.Equal(time.GetUtcNow().UtcDateTime.AddSeconds(60), targets.OpenUntil(Slow));

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
        targets.Leave(Slow, false);
        Assert.Equal(time.GetUtcNow().UtcDateTime.AddSeconds(100), targets.OpenUntil(Slow));

        time.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
        targets.Leave(Slow, true);
        Assert.Null(targets.OpenUntil(Slow));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
        Assert.Equal(Admission.Admitted, targets.TryEnter(Slow));
    }

    [Fact]
    public void A_request_sent_before_the_circuit_opened_does_not_extend_it_and_a_refusal_says_nothing_of_the_target()
    {
        var targets = Targets(perTarget: 10, perSilo: 10, failures: 2);
        for (var i = 0; i < 3; i++)
        {
            targets.TryEnter(Slow);
        }

        targets.Leave(Slow, false);
        targets.Leave(Slow, false);
        var until = targets.OpenUntil(Slow);
        Assert.NotNull(until);
        time.Advance(TimeSpan.FromSeconds(5));
        targets.Leave(Slow, false);
        Assert.Equal(until, targets.OpenUntil(Slow));

        var other = Targets(failures: 1);
        other.TryEnter(Fine);
        other.Leave(Fine, null);
        Assert.Equal(Admission.Admitted, other.TryEnter(Fine));
    }
}
