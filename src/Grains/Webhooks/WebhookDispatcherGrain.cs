using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Embever.Actors.Webhooks;

/// <summary>
/// One organisation's webhook dispatcher, fed by its "webhook due" stream with everything each
/// delivery sends, so sending reads nothing from the database. Receiving only queues, so the
/// stream (and the device that published) never waits for a receiver.
/// <para>
/// Deliveries queue per target; the pump sends up to
/// <see cref="WebhookOptions.MaxConcurrentPerOrganisation"/> at once, one target at most its
/// <see cref="WebhookOptions.PerTargetShare"/> of them, each only when <see cref="WebhookTargets"/>
/// admits it, and moves on to other targets when one is busy, so a slow receiver (however its URLs
/// are spelled) holds back neither its organisation's other receivers nor other organisations.
/// A target whose circuit is open is not tried: its deliveries go back to the outbox for later.
/// Outcomes are written in batches through the group commit, one change set at a time.
/// </para>
/// </summary>
[ImplicitStreamSubscription(WebhookStreams.Namespace)]
public sealed partial class WebhookDispatcherGrain(
    Database database,
    WebhookSender sender,
    WebhookTargets targets,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcherGrain> logger) : Grain, IWebhookDispatcherGrain
{
    /// <summary>How often queued deliveries that found every target or the silo busy are offered again.</summary>
    private static readonly TimeSpan BusyRetry = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<string, Queue<WebhookDispatch>> queues = [];
    private readonly Dictionary<string, int> inFlightByTarget = [];
    private readonly HashSet<long> known = [];
    private readonly List<DeliveryOutcome> outcomes = [];
    private WebhookSigningKeys keys = null!;
    private IGrainTimer? busyTimer;
    private Task flush = Task.CompletedTask;
    private int inFlight;
    private bool pumping;
    private bool pumpAgain;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        keys = new WebhookSigningKeys(GrainFactory, time, options.Value.SigningKeysLifetime);
        var stream = WebhookStreams.For(this.GetStreamProvider(WebhookStreams.Provider), this.GetPrimaryKey());
        await stream.SubscribeAsync((due, _) => Enqueue(due));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await flush;
        if (outcomes.Count > 0)
        {
            await FlushAsync();
        }
    }

    public Task ForgetSigningKeys()
    {
        keys.Forget();
        return Task.CompletedTask;
    }

    private Task Enqueue(WebhookDue due)
    {
        foreach (var delivery in due.Deliveries.Where(d => known.Add(d.Id)))
        {
            var target = WebhookTargets.KeyOf(delivery.Url);
            if (!queues.TryGetValue(target, out var queue))
            {
                queue = new Queue<WebhookDispatch>();
                queues[target] = queue;
            }

            queue.Enqueue(delivery);
        }

        Pump();
        return Task.CompletedTask;
    }

    /// <summary>Starts what may start now, target by target; never waits. A call while it runs (a delivery that finished at once) makes it go round again.</summary>
    private void Pump()
    {
        if (pumping)
        {
            pumpAgain = true;
            return;
        }

        pumping = true;
        try
        {
            do
            {
                pumpAgain = false;
                PumpOnce();
            }
            while (pumpAgain);
        }
        finally
        {
            pumping = false;
        }
    }

    private void PumpOnce()
    {
        var max = options.Value.MaxConcurrentPerOrganisation;
        var perTarget = options.Value.PerTargetShare;
        var blocked = false;
        foreach (var (target, queue) in queues)
        {
            while (inFlight < max && queue.Count > 0)
            {
                // One receiver, however hung, never holds more than its share of this organisation's slots.
                var admission = inFlightByTarget.GetValueOrDefault(target) >= perTarget ? Admission.Busy : targets.TryEnter(target);
                if (admission == Admission.Busy)
                {
                    blocked = true;
                    break;
                }

                var delivery = queue.Dequeue();
                if (admission == Admission.Open)
                {
                    Defer(delivery, targets.OpenUntil(target));
                    continue;
                }

                inFlight++;
                inFlightByTarget[target] = inFlightByTarget.GetValueOrDefault(target) + 1;
                _ = DeliverAsync(target, delivery);
            }
        }

        foreach (var empty in queues.Where(q => q.Value.Count == 0).Select(q => q.Key).ToList())
        {
            queues.Remove(empty);
        }

        // Something is queued that no finishing delivery of ours will start: look again shortly.
        var waiting = blocked || (inFlight < max && queues.Count > 0);
        if (waiting && busyTimer is null)
        {
            busyTimer = this.RegisterGrainTimer(() =>
            {
                busyTimer?.Dispose();
                busyTimer = null;
                Pump();
                return Task.CompletedTask;
            }, BusyRetry, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task DeliverAsync(string target, WebhookDispatch delivery)
    {
        bool? answered = null;
        try
        {
            var (organisationToken, applicationToken) = await keys.SignAsync(delivery);

            // The request runs off the grain's turn; only its outcome comes back here. Its span
            // continues the trace of the change that fired it; HttpClient's POST is its child.
            var outcome = await Task.Run(async () =>
            {
                using var span = PlatformTracing.StartFrom("webhook delivery", delivery.TraceParent, System.Diagnostics.ActivityKind.Producer);
                span?.SetTag("embever.delivery", delivery.Id);
                return await sender.SendAsync(delivery, organisationToken, applicationToken);
            });
            answered = outcome.Permanent && outcome.StatusCode is null ? null : outcome.Delivered;
            Record(delivery, outcome);
        }
        catch (Exception exception)
        {
            // The row stays pending; the sweeper offers it again once its lease runs out.
            known.Remove(delivery.Id);
            LogDeliveryError(exception, delivery.Id);
        }
        finally
        {
            targets.Leave(target, answered);
            inFlight--;
            if (--inFlightByTarget[target] == 0)
            {
                inFlightByTarget.Remove(target);
            }

            Pump();
        }
    }

    private void Record(WebhookDispatch delivery, SendOutcome outcome)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts + outcome.Tries;
        if (outcome.Delivered)
        {
            Complete(new DeliveryOutcome(delivery.Id, DeliveryStatuses.Delivered, attempts, now, null, outcome.StatusCode, now));
            PlatformMetrics.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", "delivered"));
            PlatformMetrics.WebhookAttempts.Record(attempts);
            PlatformMetrics.WebhookLatency.Record(Math.Max(0, (now - delivery.FiredAt).TotalSeconds));
            return;
        }

        var next = outcome.Permanent ? null : options.Value.Schedule.NextAttempt(attempts, now, delivery.Deadline, Random.Shared);
        PlatformMetrics.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", next is null ? "failed" : "retry"));
        if (next is null)
        {
            PlatformMetrics.WebhookAttempts.Record(attempts);
        }

        var error = outcome.Error ?? "failed";
        Complete(new DeliveryOutcome(
            delivery.Id, next is null ? DeliveryStatuses.Failed : DeliveryStatuses.Pending, attempts, next ?? now,
            error.Length > 1000 ? error[..1000] : error, outcome.StatusCode, null));
        LogAttemptFailed(delivery.Id, delivery.Url, outcome.Error, next);
    }

    /// <summary>Puts a delivery back in the outbox, untried, for when its target's circuit lets a probe through.</summary>
    private void Defer(WebhookDispatch delivery, DateTime? until)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var at = (until ?? now) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000));
        var pastDeadline = at > delivery.Deadline;
        PlatformMetrics.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", pastDeadline ? "failed" : "deferred"));
        Complete(new DeliveryOutcome(
            delivery.Id, pastDeadline ? DeliveryStatuses.Failed : DeliveryStatuses.Pending, delivery.Attempts, pastDeadline ? now : at,
            "receiver failing: circuit open", null, null));
    }

    private void Complete(DeliveryOutcome outcome)
    {
        known.Remove(outcome.Id);
        outcomes.Add(outcome);
        if (flush.IsCompleted)
        {
            flush = FlushAsync();
        }
    }

    /// <summary>Writes what has finished, then what finished meanwhile: one change set per commit.</summary>
    private async Task FlushAsync()
    {
        while (outcomes.Count > 0)
        {
            var changes = new ChangeSet();
            changes.DeliveryOutcomes.AddRange(outcomes);
            outcomes.Clear();
            try
            {
                await database.CommitAsync(changes);
            }
            catch (Exception exception)
            {
                // The rows stay pending under their lease: the sweeper offers them again (a
                // delivered one may then be sent twice; receivers de-duplicate by delivery id).
                LogOutcomesLost(exception, changes.DeliveryOutcomes.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to {Url} failed ({Error}); next attempt {NextAttempt}")]
    private partial void LogAttemptFailed(long deliveryId, string url, string? error, DateTime? nextAttempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} could not be processed; it will be offered again")]
    private partial void LogDeliveryError(Exception exception, long deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the outcome of {Count} webhook deliveries; they will be offered again")]
    private partial void LogOutcomesLost(Exception exception, int count);
}
