using Embever.Actors.Organisations;

namespace Embever.Actors.Applications;

/// <summary>One application, keyed by its UUID.</summary>
[Alias("Embever.Actors.IApplicationGrain")]
public interface IApplicationGrain : IGrainWithGuidKey
{
    [Alias("Get")]
    Task<ApplicationView?> Get();

    [Alias("Create")]
    Task<ApplicationView> Create(ApplicationDraft draft);

    [Alias("Update")]
    Task<ApplicationView?> Update(ApplicationPatch patch);

    /// <summary>Deletes the application and revokes the tokens scoped to it.</summary>
    [Alias("Delete")]
    Task<bool> Delete();

    [Alias("GetSigningSecret")]
    Task<SigningSecret?> GetSigningSecret();
}
