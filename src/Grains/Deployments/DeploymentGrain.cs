using System.Text.Json;
using Embever.Actors.Actions;
using Embever.Actors.Devices;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Microsoft.Extensions.Logging;

namespace Embever.Actors.Deployments;

/// <summary>
/// Coordinates one firmware rollout. Its rows are its durable state: the deployment row (what it
/// is, whether it was cancelled) and one update row per device. Creating it reserves an update on
/// every device grain (bounded parallelism), then commits the deployment row and every device's
/// <c>_fota</c> action and update in one transaction: a crash leaves all of it or none of it.
/// Afterwards device grains report where their update stands; the grain keeps the lists in memory
/// and writes its row at most once a second. On activation it rebuilds everything from its rows.
/// </summary>
public sealed partial class DeploymentGrain(
    DeploymentIndex index,
    UpdateIndex updates,
    IdBlockAllocator ids,
    Database database,
    TimeProvider time,
    ILogger<DeploymentGrain> logger) : Grain, IDeploymentGrain
{
    public const string CancelReason = "deployment cancelled";
    private const int FanOut = 64;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, UpdateOutcome> outcomes = [];
    private readonly Dictionary<string, long> actionIds = [];
    private DeploymentView? created;
    private IGrainTimer? flushTimer;
    private bool dirty;

    private long Id => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        created = await index.GetAsync(Id, cancellationToken);
        if (created is null)
        {
            return;
        }

        // A member without an update row never started (a deployment half-built by an older release).
        foreach (var device in created.Devices)
        {
            outcomes[device] = UpdateOutcome.Failed;
        }

        foreach (var update in await updates.ForDeploymentAsync(Id))
        {
            outcomes[update.DeviceId] = update.Outcome;
            actionIds[update.DeviceId] = update.ActionId;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await FlushAsync();

    public async Task<DeploymentResult> Create(DeploymentDraft draft)
    {
        if (created is not null)
        {
            return new DeploymentResult(View(), []);
        }

        var firmware = draft.Firmware;
        var members = new List<(string Device, UpdateStart Start)>(draft.Devices.Count);
        foreach (var device in draft.Devices.Distinct())
        {
            var updateId = await ids.NextAsync("updates");
            var payload = JsonSerializer.Serialize(new
            {
                firmware = firmware.Id, version = firmware.Version, dest = firmware.Dest, size = firmware.Size, sha256 = firmware.Sha256,
                url = firmware.DownloadPath, deployment = Id, update = updateId,
            });
            members.Add((device, new UpdateStart(Id, updateId, await ids.NextAsync("actions"), payload, firmware.FileId)));
        }

        var answers = new UpdateReservation[members.Count];
        await ForEachAsync(Enumerable.Range(0, members.Count).ToList(), async i => answers[i] = await Device(members[i].Device).ReserveUpdate(members[i].Start));
        var refused = members.Where((_, i) => answers[i].Result != UpdateStartResult.Started).Select(m => m.Device).Order().ToList();
        if (refused.Count > 0)
        {
            // All or nothing: one device that is busy or gone refuses the whole deployment.
            await ReleaseAsync(members);
            return new DeploymentResult(null, refused);
        }

        var now = Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
        var view = new DeploymentView(Id, draft.OrganisationId, firmware.Id, members.Select(m => m.Device).ToList(), [], [], [], false, false, now);
        var changes = new ChangeSet().AddActions(answers.Select(a => a.Action).OfType<DeviceAction>(), now);
        DeploymentIndex.Upsert(changes.Statements, view);

        // The firmware must still exist: its delete checks for deployments under the same lock.
        changes.Guards.Add(new RowGuard("firmwares", firmware.Id, "The firmware was deleted."));
        try
        {
            await database.CommitAsync(changes);
        }
        catch (Exception exception)
        {
            await ReleaseAsync(members);
            if (exception is MissingRowException)
            {
                return new DeploymentResult(null, [], FirmwareGone: true);
            }

            throw;
        }

        created = view;
        foreach (var (device, start) in members)
        {
            outcomes[device] = UpdateOutcome.Waiting;
            actionIds[device] = start.ActionId;
        }

        // Committed: a device that misses its confirmation (its silo died) takes the action from its rows.
        await ForEachAsync(members, async member =>
        {
            try
            {
                await Device(member.Device).ConfirmUpdate(member.Start.UpdateId);
            }
            catch (Exception exception)
            {
                LogConfirmFailed(exception, member.Start.UpdateId);
            }
        });
        return new DeploymentResult(View(), []);
    }

    public Task<DeploymentView?> Get() => Task.FromResult(created is null ? null : View());

    public async Task<DeploymentView?> Cancel()
    {
        if (created is null)
        {
            return null;
        }

        // Cancelled first and for good; cancelling again finishes what a crash may have left open.
        created = created with { Cancelled = true };
        await index.UpsertAsync(View());
        var open = created.Devices.Where(d => outcomes[d] is UpdateOutcome.Waiting or UpdateOutcome.Pending && actionIds.ContainsKey(d)).ToList();
        await ForEachAsync(open, async device =>
        {
            await Device(device).CancelAction(actionIds[device], CancelReason);
            outcomes[device] = UpdateOutcome.Failed;
        });
        await index.UpsertAsync(View());
        return View();
    }

    public Task Report(string deviceId, UpdateOutcome outcome)
    {
        if (created is not null && outcomes.TryGetValue(deviceId, out var current) && current != outcome && !IsFinal(current))
        {
            outcomes[deviceId] = outcome;
            dirty = true;
            flushTimer ??= this.RegisterGrainTimer(FlushAsync, FlushInterval, FlushInterval);
        }

        return Task.CompletedTask;
    }

    private IDeviceGrain Device(string id) => GrainFactory.GetGrain<IDeviceGrain>(id);

    private async Task ReleaseAsync(List<(string Device, UpdateStart Start)> members) =>
        await ForEachAsync(members, member => Device(member.Device).ReleaseUpdate(member.Start.UpdateId));

    private async Task FlushAsync()
    {
        if (dirty && created is not null)
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
        var devices = created!.Devices;
        List<string> With(UpdateOutcome outcome) => devices.Where(d => outcomes[d] == outcome).ToList();
        return created with
        {
            Successful = With(UpdateOutcome.Successful),
            Pending = With(UpdateOutcome.Pending),
            Failed = With(UpdateOutcome.Failed),
            Finished = devices.All(d => IsFinal(outcomes[d])),
        };
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not confirm update {UpdateId} to its device; it takes the action from its rows")]
    private partial void LogConfirmFailed(Exception exception, long updateId);
}
