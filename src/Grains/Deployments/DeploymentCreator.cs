using Embever.Actors.Storage;

namespace Embever.Actors.Deployments;

/// <summary>Gives a new deployment its cluster-unique id and lets its grain create it (all or nothing).</summary>
public sealed class DeploymentCreator(IGrainFactory grains, IdBlockAllocator ids)
{
    public async Task<DeploymentResult> CreateAsync(DeploymentDraft draft) =>
        await grains.GetGrain<IDeploymentGrain>(await ids.NextAsync("deployments")).Create(draft);
}
