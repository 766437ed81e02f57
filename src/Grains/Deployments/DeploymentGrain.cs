using System.Text.Json;
using Embever.Actors.Devices;
using Embever.Actors.Platform;
using Embever.Actors.Storage;

namespace Embever.Actors.Deployments;

/// <summary>
/// Coordinates one firmware rollout. At creation it fans out to the device grains (bounded
/// parallelism) to start one update each; afterwards device grains report where their update
/// stands, and the grain keeps the lists current in memory and flushes them to the deployments
/// table at most once a second. On activation it rebuilds the lists from the updates table.
/// </summary>
public sealed class DeploymentGrain(
    [PersistentState("deployment", StorageNames.Platform)] IPersistentState<DeploymentState> state,
    DeploymentIndex index,
    UpdateIndex updates,
    IdBlockAllocator ids,
    TimeProvider time) : Grain, IDeploymentGrain
{
    public const string CancelReason = "deployment cancelled";
    private const int FanOut = 64;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, UpdateOutcome> outcomes = [];
    private IGrainTimer? flushTimer;
    private bool dirty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.State.Exists)
        {
            return;
        }

        foreach (var member in state.State.Members)
        {
            outcomes[member.DeviceId] = UpdateOutcome.Waiting;
        }

        foreach (var update in await updates.ForDeploymentAsync(this.GetPrimaryKeyLong()))
        {
            outcomes[update.DeviceId] = update.Outcome;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await FlushAsync();

    public async Task<DeploymentResult> Create(DeploymentDraft draft)
    {
        if (state.State.Exists)
        {
            return new DeploymentResult(View(), []);
        }

        var id = this.GetPrimaryKeyLong();
        var firmware = draft.Firmware;
        var members = new List<DeploymentMember>(draft.Devices.Count);
        foreach (var device in draft.Devices.Distinct())
        {
            members.Add(new DeploymentMember(device, await ids.NextAsync("updates"), await ids.NextAsync("actions")));
        }

        state.State = new DeploymentState
        {
            Exists = true,
            OrganisationId = draft.OrganisationId,
            FirmwareId = firmware.Id,
            Members = members,
            CreatedAt = Timestamps.Truncate(time.GetUtcNow().UtcDateTime),
        };
        foreach (var member in members)
        {
            outcomes[member.DeviceId] = UpdateOutcome.Waiting;
        }

        await state.WriteStateAsync();
        await index.UpsertAsync(View());

        var started = new List<DeploymentMember>();
        var refused = new List<string>();
        await ForEachAsync(members, async member =>
        {
            var payload = JsonSerializer.Serialize(new
            {
                firmware = firmware.Id, version = firmware.Version, dest = firmware.Dest, size = firmware.Size, sha256 = firmware.Sha256,
                url = firmware.DownloadPath, deployment = id, update = member.UpdateId,
            });
            var result = await GrainFactory.GetGrain<IDeviceGrain>(member.DeviceId)
                .StartUpdate(new UpdateStart(id, member.UpdateId, member.ActionId, payload, firmware.FileId));
            if (result == UpdateStartResult.Started)
            {
                started.Add(member);
            }
            else
            {
                refused.Add(member.DeviceId);
            }
        });

        if (refused.Count == 0)
        {
            return new DeploymentResult(View(), []);
        }

        // All or nothing: a device that got busy since the check undoes the whole deployment.
        await ForEachAsync(started, member => GrainFactory.GetGrain<IDeviceGrain>(member.DeviceId).AbortUpdate(member.UpdateId));
        await index.DeleteAsync(id);
        await state.ClearStateAsync();
        state.State = new DeploymentState();
        outcomes.Clear();
        DeactivateOnIdle();
        return new DeploymentResult(null, refused.Order().ToList());
    }

    public Task<DeploymentView?> Get() => Task.FromResult(state.State.Exists ? View() : null);

    public async Task<DeploymentView?> Cancel()
    {
        if (!state.State.Exists)
        {
            return null;
        }

        state.State.Cancelled = true;
        await state.WriteStateAsync();
        var open = state.State.Members.Where(m => outcomes[m.DeviceId] is UpdateOutcome.Waiting or UpdateOutcome.Pending).ToList();
        await ForEachAsync(open, async member =>
        {
            await GrainFactory.GetGrain<IDeviceGrain>(member.DeviceId).CancelAction(member.ActionId, CancelReason);
            outcomes[member.DeviceId] = UpdateOutcome.Failed;
        });
        await index.UpsertAsync(View());
        return View();
    }

    public Task Report(string deviceId, UpdateOutcome outcome)
    {
        if (state.State.Exists && outcomes.TryGetValue(deviceId, out var current) && current != outcome && !IsFinal(current))
        {
            outcomes[deviceId] = outcome;
            dirty = true;
            flushTimer ??= this.RegisterGrainTimer(FlushAsync, FlushInterval, FlushInterval);
        }

        return Task.CompletedTask;
    }

    private async Task FlushAsync()
    {
        if (dirty && state.State.Exists)
        {
            dirty = false;
            await index.UpsertAsync(View());
        }

        // Reports that came in during the write keep the timer for the next flush.
        if (!dirty)
        {
            flushTimer?.Dispose();
            flushTimer = null;
        }
    }

    private DeploymentView View()
    {
        var devices = state.State.Members.Select(m => m.DeviceId).ToList();
        List<string> With(UpdateOutcome outcome) => devices.Where(d => outcomes[d] == outcome).ToList();
        return new DeploymentView(
            this.GetPrimaryKeyLong(), state.State.OrganisationId, state.State.FirmwareId, devices,
            With(UpdateOutcome.Successful), With(UpdateOutcome.Pending), With(UpdateOutcome.Failed),
            devices.All(d => IsFinal(outcomes[d])), state.State.Cancelled, state.State.CreatedAt);
    }

    private static bool IsFinal(UpdateOutcome outcome) => outcome is UpdateOutcome.Successful or UpdateOutcome.Failed;

    /// <summary>Runs <paramref name="work"/> for every item, <see cref="FanOut"/> at a time.</summary>
    private static async Task ForEachAsync<T>(IReadOnlyList<T> items, Func<T, Task> work)
    {
        foreach (var chunk in items.Chunk(FanOut))
        {
            await Task.WhenAll(chunk.Select(work));
        }
    }
}
