using Orleans.Concurrency;

namespace Embever.Actors.Deployments;

/// <summary>One deployment (firmware rollout), keyed by its integer id.</summary>
[Alias("Embever.Actors.IDeploymentGrain")]
public interface IDeploymentGrain : IGrainWithIntegerKey
{
    /// <summary>Starts an update on every device, or on none when any refuses.</summary>
    [Alias("Create")]
    Task<DeploymentResult> Create(DeploymentDraft draft);

    /// <summary>
    /// The deployment as the grain holds it. Interleaved: it only reads, so it need not wait for a
    /// long step (creating, or withdrawing thousands of actions after an abort) to finish; it shows
    /// what that step decided, which is written before it is carried out.
    /// </summary>
    [AlwaysInterleave]
    [Alias("Get")]
    Task<DeploymentView?> Get();

    /// <summary>Cancels every update not finished yet; those devices count as failed.</summary>
    [Alias("Cancel")]
    Task<DeploymentView?> Cancel();

    /// <summary>Pauses or resumes a staged rollout (a resume at a gate between groups starts the next); null when there is no such deployment.</summary>
    [Alias("SetPaused")]
    Task<DeploymentView?> SetPaused(bool paused);

    /// <summary>
    /// A device grain tells where its update stands. One-way: device grains never wait on a
    /// deployment. Interleaved: it only records (no await), so a report is counted at once even
    /// while the grain is in a long step (thousands of withdrawals after an abort).
    /// </summary>
    [OneWay]
    [AlwaysInterleave]
    [Alias("Report")]
    Task Report(string deviceId, UpdateOutcome outcome);
}
