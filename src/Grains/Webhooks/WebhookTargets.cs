using Microsoft.Extensions.Options;

namespace Embever.Actors.Webhooks;

/// <summary>What a dispatcher may do with a delivery to a target right now.</summary>
public enum Admission
{
    /// <summary>Send it; <see cref="WebhookTargets.Leave"/> must follow.</summary>
    Admitted,

    /// <summary>The target (or the silo) has as many requests in flight as it may: keep it queued.</summary>
    Busy,

    /// <summary>The target's circuit is open: do not try it; it waits in the outbox until <see cref="WebhookTargets.OpenUntil"/>.</summary>
    Open,
}

/// <summary>
/// The receivers this silo delivers to, shared by every organisation's dispatcher: requests in
/// flight per target (scheme, host and port) and in all, and a circuit per target. A target
/// that failed <see cref="WebhookOptions.CircuitFailures"/> attempts in a row is not tried
/// until its circuit has been open a while (doubling while it keeps failing); then one probe
/// goes out, and its outcome closes or reopens the circuit. Nothing here waits: a dispatcher
/// asks, and sends something else when the answer is no.
/// </summary>
public sealed class WebhookTargets(IOptions<WebhookOptions> options, TimeProvider time)
{
    private readonly Dictionary<string, Target> targets = [];
    private int inFlight;

    /// <summary>
    /// The key of a delivery's target, what it is rather than how it was written: the scheme, the
    /// host lower-cased in its ASCII (IDN) form without a trailing dot, and the port with its
    /// default made explicit. Paths, queries, user info and case do not make another target.
    /// </summary>
    public static string KeyOf(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return url;
        }

        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        return $"{uri.Scheme}://{(uri.HostNameType == UriHostNameType.IPv6 && !host.StartsWith('[') ? $"[{host}]" : host)}:{uri.Port}";
    }

    public int InFlight
    {
        get
        {
            lock (targets)
            {
                return inFlight;
            }
        }
    }

    public Admission TryEnter(string target)
    {
        var settings = options.Value;
        lock (targets)
        {
            var state = Get(target);
            if (state.OpenUntil is { } until)
            {
                if (time.GetUtcNow().UtcDateTime < until)
                {
                    return Admission.Open;
                }

                // Half open: one probe at a time decides.
                if (state.InFlight > 0)
                {
                    return Admission.Busy;
                }
            }

            if (state.InFlight >= settings.MaxInFlightPerTarget || inFlight >= settings.MaxInFlightPerSilo)
            {
                return Admission.Busy;
            }

            state.InFlight++;
            inFlight++;
            return Admission.Admitted;
        }
    }

    /// <summary>
    /// Ends a request <see cref="TryEnter"/> admitted. <paramref name="answered"/> is whether the
    /// receiver worked (a 2xx); a delivery refused before it left (a forbidden address) says nothing of the target: null.
    /// </summary>
    public void Leave(string target, bool? answered)
    {
        var settings = options.Value;
        lock (targets)
        {
            var state = Get(target);
            state.InFlight--;
            inFlight--;
            if (answered is true)
            {
                state.Failures = 0;
                state.Opened = 0;
                state.OpenUntil = null;
            }
            else if (answered is false)
            {
                var now = time.GetUtcNow().UtcDateTime;
                state.Failures++;

                // Closed: open after enough failures in a row. Half open: the probe failed, reopen
                // for twice as long. Open: a request sent before it opened; it changes nothing.
                var open = state.OpenUntil is { } until ? now >= until : state.Failures >= Math.Max(1, settings.CircuitFailures);
                if (open)
                {
                    var period = settings.CircuitOpenFor.TotalMilliseconds * Math.Pow(2, Math.Min(state.Opened, 20));
                    state.Opened++;
                    state.OpenUntil = now + TimeSpan.FromMilliseconds(Math.Min(period, settings.CircuitMaxOpenFor.TotalMilliseconds));
                }
            }

            if (state is { InFlight: 0, Failures: 0, OpenUntil: null })
            {
                // Only targets with something to remember are kept.
                targets.Remove(target);
            }
        }
    }

    /// <summary>When an open circuit lets the next probe through; null when it is closed.</summary>
    public DateTime? OpenUntil(string target)
    {
        lock (targets)
        {
            return targets.TryGetValue(target, out var state) ? state.OpenUntil : null;
        }
    }

    private Target Get(string target)
    {
        if (!targets.TryGetValue(target, out var state))
        {
            state = new Target();
            targets[target] = state;
        }

        return state;
    }

    private sealed class Target
    {
        public int InFlight { get; set; }

        public int Failures { get; set; }

        /// <summary>Times the circuit opened in a row, without a success in between.</summary>
        public int Opened { get; set; }

        public DateTime? OpenUntil { get; set; }
    }
}
