using System.Text.Json;
using Embever.Actors.Actions;
using Embever.Actors.Deployments.Rollouts;
using Embever.Actors.Devices;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Telemetry;
using Embever.Actors.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Embever.Actors.Deployments;

/// <summary>
/// Coordinates one firmware rollout. Its rows are its durable state: the deployment row (what it
/// is, whether it was cancelled, a staged rollout's progress) and one update row per device.
/// Creating it reserves an update on every device grain (bounded parallelism), then commits the
/// deployment row and every device's <c>_fota</c> action and update in one transaction: a crash
/// leaves all of it or none of it. Afterwards device grains report where their update stands; the
/// grain keeps the lists in memory and writes its row at most once a second. A staged rollout's
/// actions are committed held, and its <see cref="Rollout"/> decides when each goes out; what it
/// decides is written before it is done, and a reminder keeps its pacing and timeouts going across
/// deactivations and restarts. What it tells (a group started or completed, paused, aborted,
/// completed) fires its webhooks, whose outbox rows are written with the row that records it.
/// On activation it rebuilds everything from its rows.
/// </summary>
public sealed partial class DeploymentGrain(
    DeploymentIndex index,
    UpdateIndex updates,
    IdBlockAllocator ids,
    Database database,
    TimeProvider time,
    FiredWebhooks webhooks,
    IOptions<ReminderOptions> reminderOptions,
    ILogger<DeploymentGrain> logger) : Grain, IDeploymentGrain, IRemindable
{
    public const string CancelReason = "deployment cancelled";
    public const string TimeoutReason = "update timed out";
    public const string AbortReason = "deployment aborted";
    private const string RolloutReminder = "rollout";
    private const int FanOut = 64;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, UpdateOutcome> outcomes = [];
    private readonly Dictionary<string, long> actionIds = [];
    private DeploymentView? created;

    /// <summary>The deployment as its row last stored it: whether a deployment without a rollout had finished is told once.</summary>
    private DeploymentView? stored;
    private Rollout? rollout;
    private IGrainTimer? flushTimer;
    private IGrainTimer? wakeTimer;
    private bool dirty;

    private long Id => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        created = await index.GetAsync(Id, cancellationToken);
        stored = created;
        if (created is null)
        {
            return;
        }

        // A member without an update row never started (a deployment half-built by an older release).
        foreach (var device in created.Devices)
        {
            outcomes[device] = UpdateOutcome.Failed;
        }

        var rows = await updates.ForDeploymentAsync(Id);
        foreach (var update in rows)
        {
            outcomes[update.DeviceId] = update.Outcome;
            actionIds[update.DeviceId] = update.ActionId;
        }

        if (created.Rollout is { } policy)
        {
            rollout = new Rollout(policy, Members(policy, created.Devices, rows), created.Progress ?? RolloutState.New(policy.GroupSizes(created.Devices.Count).Count));
            if (!rollout.IsOver || rollout.HasOrders)
            {
                await AdvanceAsync();
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (dirty && created is not null)
        {
            dirty = false;
            await SaveAsync([]);
        }
    }

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
            members.Add((device, new UpdateStart(Id, updateId, await ids.NextAsync("actions"), payload, firmware.FileId, Held: draft.Rollout is not null)));
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
        var devices = members.Select(m => m.Device).ToList();
        var staged = draft.Rollout is { } policy ? Rollout.Start(policy, devices) : null;
        var view = new DeploymentView(
            Id, draft.OrganisationId, firmware.Id, devices, [], [], [], false, false, now, draft.Rollout, staged?.State, staged?.Groups(), draft.Webhooks);
        var changes = new ChangeSet().AddActions(answers.Select(a => a.Action).OfType<DeviceAction>(), now);

        // Without a rollout every device is one group, started now; a rollout tells its own.
        var deliveries = await FireAsync(changes, view, staged is null ? [new RolloutEvent(RolloutEvent.GroupStarted, 1)] : [], now);
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
        stored = view;
        webhooks.Offer(created!.OrganisationId, deliveries);
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

        // The actions are in: now the rollout's first decisions (its first group, as pacing allows).
        if (staged is not null)
        {
            rollout = staged;
            await AdvanceAsync();
        }

        return new DeploymentResult(View(), []);
    }

    public Task<DeploymentView?> Get() => Task.FromResult(created is null ? null : View());

    public async Task<DeploymentView?> Cancel()
    {
        if (created is null)
        {
            return null;
        }

        if (rollout is not null)
        {
            created = created with { Cancelled = true };
            rollout.Cancel();
            await AdvanceAsync();
            return View();
        }

        // Cancelled first and for good; cancelling again finishes what a crash may have left open.
        created = created with { Cancelled = true };
        await SaveAsync([]);
        var open = created.Devices.Where(d => outcomes[d] is UpdateOutcome.Waiting or UpdateOutcome.Pending && actionIds.ContainsKey(d)).ToList();
        await ForEachAsync(open, async device =>
        {
            await Device(device).CancelAction(actionIds[device], CancelReason);
            outcomes[device] = UpdateOutcome.Failed;
        });
        await SaveAsync([]);
        return View();
    }

    public Task Report(string deviceId, UpdateOutcome outcome)
    {
        if (created is not null && outcomes.TryGetValue(deviceId, out var current) && current != outcome && !IsFinal(current))
        {
            outcomes[deviceId] = outcome;
            rollout?.Record(deviceId, outcome);
            dirty = true;
            flushTimer ??= this.RegisterGrainTimer(FlushAsync, FlushInterval, FlushInterval);
        }

        return Task.CompletedTask;
    }

    public async Task<DeploymentView?> SetPaused(bool paused)
    {
        if (created is null || rollout is null)
        {
            return created is null ? null : View();
        }

        if (paused)
        {
            rollout.Pause();
        }
        else
        {
            rollout.Resume();
        }

        await AdvanceAsync();
        return View();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RolloutReminder)
        {
            await AdvanceAsync();
        }
    }

    /// <summary>
    /// One step of the rollout: what it decides is written first (its row: groups started, status),
    /// then done — releases, cancellations, withdrawals — so that a crash in between repeats work
    /// that is idempotent rather than losing a decision. Then it asks to be woken when pacing or a
    /// timeout next has work: a timer for the moment, a reminder in case the grain goes away.
    /// </summary>
    private async Task AdvanceAsync()
    {
        if (created is null || rollout is null)
        {
            return;
        }

        var now = Timestamps.Truncate(time.GetUtcNow().UtcDateTime);
        var decision = rollout.Advance(now);
        if (!decision.IsEmpty || dirty)
        {
            dirty = false;
            await SaveAsync(decision.Events);
        }

        var reason = rollout.Status == RolloutStatus.Cancelled ? CancelReason : TimeoutReason;
        await ForEachAsync(decision.Release.Where(actionIds.ContainsKey).ToList(), device => Device(device).ReleaseHeldUpdate(actionIds[device], now));
        await ForEachAsync(decision.Cancel.Where(actionIds.ContainsKey).ToList(), device => Device(device).CancelAction(actionIds[device], reason));
        await ForEachAsync(decision.Withdraw.Where(actionIds.ContainsKey).ToList(), device => Device(device).WithdrawUpdate(actionIds[device], AbortReason));
        foreach (var member in rollout.Members.Where(m => m.Stage == MemberStage.Failed))
        {
            outcomes[member.Device] = UpdateOutcome.Failed;
        }

        await ScheduleAsync(rollout.IsOver ? null : decision.WakeAt, now);
    }

    private async Task ScheduleAsync(DateTime? wakeAt, DateTime now)
    {
        wakeTimer?.Dispose();
        wakeTimer = null;
        if (wakeAt is { } due)
        {
            var wait = due > now ? due - now : TimeSpan.Zero;
            wakeTimer = this.RegisterGrainTimer(AdvanceAsync, wait, Timeout.InfiniteTimeSpan);
            var period = reminderOptions.Value.MinimumReminderPeriod > TimeSpan.FromMinutes(1) ? reminderOptions.Value.MinimumReminderPeriod : TimeSpan.FromMinutes(1);
            await this.RegisterOrUpdateReminder(RolloutReminder, wait > period ? wait : period, period);
        }
        else if (await this.GetReminder(RolloutReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>A rollout's members as its rows leave them: the devices in order, each in its group, where its update stands.</summary>
    private static List<RolloutMember> Members(RolloutPolicy policy, IReadOnlyList<string> devices, IReadOnlyList<UpdateView> stored)
    {
        var byDevice = stored.ToDictionary(u => u.DeviceId);
        var sizes = policy.GroupSizes(devices.Count);
        var members = new List<RolloutMember>(devices.Count);
        for (var group = 0; group < sizes.Count; group++)
        {
            foreach (var device in devices.Skip(members.Count).Take(sizes[group]))
            {
                var update = byDevice.GetValueOrDefault(device);
                var stage = update?.Outcome switch
                {
                    null => MemberStage.Failed,
                    UpdateOutcome.Successful => MemberStage.Successful,
                    UpdateOutcome.Failed => MemberStage.Failed,
                    UpdateOutcome.Pending => MemberStage.Pending,
                    _ => update.Held ? MemberStage.Held : MemberStage.Released,
                };
                members.Add(new RolloutMember(device, group, stage, update?.ReleasedAt));
            }
        }

        return members;
    }

    private IDeviceGrain Device(string id) => GrainFactory.GetGrain<IDeviceGrain>(id);

    private async Task ReleaseAsync(List<(string Device, UpdateStart Start)> members) =>
        await ForEachAsync(members, member => Device(member.Device).ReleaseUpdate(member.Start.UpdateId));

    private async Task FlushAsync()
    {
        if (rollout is not null)
        {
            await AdvanceAsync();
        }
        else if (dirty && created is not null)
        {
            dirty = false;
            await SaveAsync([]);
        }

        // Reports that came in during the write keep the timer for the next flush.
        if (!dirty)
        {
            flushTimer?.Dispose();
            flushTimer = null;
        }
    }

    /// <summary>
    /// Writes the deployment's row with the webhooks of what it told, in one transaction, then
    /// offers them to the dispatcher. A deployment without a rollout tells that its one group
    /// completed, and the deployment with it, when its row first says finished (not cancelled).
    /// When the write fails the grain goes away, to be rebuilt from its rows, which tell again.
    /// </summary>
    private async Task SaveAsync(IReadOnlyList<RolloutEvent> told)
    {
        var view = View();
        if (rollout is null && view.Finished && !view.Cancelled && stored is { Finished: false })
        {
            told = [new RolloutEvent(RolloutEvent.GroupCompleted, 1), new RolloutEvent(RolloutEvent.Completed)];
        }

        var changes = new ChangeSet();
        var deliveries = await FireAsync(changes, view, told, Timestamps.Truncate(time.GetUtcNow().UtcDateTime));
        DeploymentIndex.Upsert(changes.Statements, view);
        try
        {
            await database.CommitAsync(changes);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        stored = view;
        webhooks.Offer(created!.OrganisationId, deliveries);
    }

    /// <summary>Adds to <paramref name="changes"/> the outbox rows of the webhooks that what the deployment told fires.</summary>
    private async Task<List<PlannedDelivery>> FireAsync(ChangeSet changes, DeploymentView view, IReadOnlyList<RolloutEvent> told, DateTime now)
    {
        foreach (var happened in told)
        {
            LogRolloutEvent(Id, happened.Kind, happened.Group);
        }

        return await webhooks.AddAsync(changes, WebhookPlanner.Plan(view, told, now, webhooks.PublicUrl));
    }

    private DeploymentView View()
    {
        if (rollout is not null)
        {
            var members = rollout.Members;
            return created! with
            {
                Successful = members.Where(m => m.Stage == MemberStage.Successful).Select(m => m.Device).ToList(),
                Pending = members.Where(m => m.Stage == MemberStage.Pending).Select(m => m.Device).ToList(),
                Failed = members.Where(m => m.Stage == MemberStage.Failed).Select(m => m.Device).ToList(),
                Finished = members.All(m => m.IsFinal),
                Progress = rollout.State,
                Groups = rollout.Groups(),
            };
        }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Deployment}: {Kind} {Group}")]
    private partial void LogRolloutEvent(long deployment, string kind, int? group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not confirm update {UpdateId} to its device; it takes the action from its rows")]
    private partial void LogConfirmFailed(Exception exception, long updateId);
}
