namespace Embever.Actors.Deployments.Rollouts;

/// <summary>
/// What a rollout wants done after a step: the devices whose held actions to release; those whose
/// actions to cancel (timed out, or the deployment cancelled); those whose actions to withdraw if
/// the device has not received them yet (an abort: what was sent finishes as it does); the events
/// to tell; and when it wants to be asked again (a pacing slot, a timeout), if ever.
/// </summary>
public sealed record RolloutDecision(
    IReadOnlyList<string> Release,
    IReadOnlyList<string> Cancel,
    IReadOnlyList<string> Withdraw,
    IReadOnlyList<RolloutEvent> Events,
    DateTime? WakeAt)
{
    public bool IsEmpty => Release.Count == 0 && Cancel.Count == 0 && Withdraw.Count == 0 && Events.Count == 0;
}
