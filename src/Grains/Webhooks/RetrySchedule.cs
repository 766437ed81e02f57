namespace Embever.Actors.Webhooks;

/// <summary>
/// When to try a failed delivery again: exponential back-off from a base delay, capped, with
/// ±20% jitter so that a receiver coming back is not hit by every delivery at once. Past the
/// deadline (the horizon after the webhook fired) there is no next attempt: it has failed.
/// </summary>
public sealed class RetrySchedule(TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan horizon)
{
    public TimeSpan Horizon => horizon;

    public DateTime? NextAttempt(int attemptsSoFar, DateTime now, DateTime deadline, Random random)
    {
        var exponent = Math.Min(attemptsSoFar - 1, 30);
        var delay = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, exponent)), maxDelay.TotalMilliseconds);
        var jittered = TimeSpan.FromMilliseconds(delay * (0.8 + (0.4 * random.NextDouble())));
        var next = now + jittered;
        return next <= deadline ? next : null;
    }
}
