namespace Embever.Actors.Deployments.Rollouts;

/// <summary>
/// What a rollout wants done after a step: the devices whose held actions to release, the devices
/// whose actions to cancel (timed out, or unsent when it aborted or was cancelled), the events to
/// tell, and when it wants to be asked again (a pacing slot, a timeout), if ever.
/// </summary>
public sealed record RolloutDecision(
    IReadOnlyList<string> Release,
    IReadOnlyList<string> Cancel,
    IReadOnlyList<RolloutEvent> Events,
    DateTime? WakeAt)
{
    public bool IsEmpty => Release.Count == 0 && Cancel.Count == 0 && Events.Count == 0;
}
