using System.Diagnostics;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Embever.Actors.Tests.Operations;

/// <summary>One wakeup's trace: from the gateway through the device grain and the commit to the webhook's POST.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task A_wakeup_is_one_trace_from_the_gateway_through_the_grain_and_the_commit_to_the_webhook_post()
    {
        var spans = new Spans();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var platform = await PlatformInstance.StartAsync(
            await StoreUnderTest.CreateAsync(StoreKind.Sqlite),
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
            [.. PlatformFixture.FastArguments, "--Embever:Telemetry:Traces=true", "--Embever:Telemetry:TraceSampleRatio=1"]);
        var session = await ApiSession.AuthenticateAsync(platform, platform.ReadTokenFile("org-token"));
        var device = await session.CreateDeviceAsync("traced");
        await session.Patch($"/v2/devices/{device["id"]}/", new { webhooks = new[] { new { type = "temp", url = receiver.Url("temp") } } });
        var simulator = new DeviceSimulator(platform, device["id"]!.GetValue<string>(), device["password"]!.GetValue<string>());

        await simulator.WakeAsync(events: [new { type = "temp", payload = new { celsius = 20 } }]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Activity? post = null;
        var delivered = false;
        while (DateTime.UtcNow < deadline && !delivered)
        {
            // Spans arrive as they end: the delivery's after its POST.
            await Task.Delay(100);
            var ended = spans.Snapshot();
            post = ended.FirstOrDefault(s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string url && url.EndsWith("/temp", StringComparison.Ordinal));
            delivered = post is not null && ended.Any(s => s.DisplayName == "webhook delivery" && s.TraceId == post.TraceId);
        }

        Assert.NotNull(post);
        var trace = spans.Snapshot().Where(s => s.TraceId == post.TraceId).ToList();

        // The device's request, its grain call, the grain's work, the delivery and its POST: one chain of parents.
        var server = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/gateway/v1/exchange", StringComparison.Ordinal));
        var exchange = Assert.Single(trace, s => s.DisplayName == "device exchange");
        var delivery = Assert.Single(trace, s => s.DisplayName == "webhook delivery");
        Assert.Equal(delivery.SpanId, post.ParentSpanId);
        var ancestors = Ancestors(delivery, trace);
        Assert.Contains(exchange, ancestors);
        Assert.Contains(server, ancestors);
        Assert.Contains(ancestors, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));

        // The commit that wrote the wakeup serves many wakeups at once: it links to this one.
        Assert.Contains(spans.Snapshot(), s => s.DisplayName == "store commit" && s.Links.Any(l => l.Context.TraceId == post.TraceId));
    }

    private static List<Activity> Ancestors(Activity span, List<Activity> trace)
    {
        var bySpan = trace.ToDictionary(s => s.SpanId);
        var ancestors = new List<Activity>();
        while (bySpan.TryGetValue(span.ParentSpanId, out var parent))
        {
            ancestors.Add(parent);
            span = parent;
        }

        return ancestors;
    }

    /// <summary>Ended spans, added by the exporter from any thread.</summary>
    private sealed class Spans : System.Collections.ObjectModel.Collection<Activity>
    {
        public List<Activity> Snapshot()
        {
            lock (Items)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (Items)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
