namespace Embever.Actors.Actions;

/// <summary>A status an action reached; each one fires that status's webhooks.</summary>
public readonly record struct ActionChange(DeviceAction Action, string Status);

/// <summary>A device's answer to something it could not apply, listed in the exchange's <c>rejected</c>.</summary>
[GenerateSerializer, Immutable, Alias("Embever.Actors.Rejection")]
public sealed record Rejection(long Action, string Reason);

/// <summary>What one operation on an <see cref="ActionBuffer"/> changed: statuses reached and actions to store.</summary>
public sealed class ActionChanges
{
    private readonly List<ActionChange> reached = [];
    private readonly List<DeviceAction> changed = [];

    public IReadOnlyList<ActionChange> Reached => reached;

    /// <summary>Every action whose stored form must be written again, each once.</summary>
    public IReadOnlyList<DeviceAction> Changed => changed;

    public bool Any => changed.Count > 0;

    public void Reach(DeviceAction action, string status, DateTime now)
    {
        action.Status[status] = now;
        reached.Add(new ActionChange(action, status));
        Touch(action);
    }

    public void Touch(DeviceAction action)
    {
        if (!changed.Contains(action))
        {
            changed.Add(action);
        }
    }
}
