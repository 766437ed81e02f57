namespace Embever.Actors.Organisations;

/// <summary>One organisation (tenant), keyed by its UUID.</summary>
[Alias("Embever.Actors.IOrganisationGrain")]
public interface IOrganisationGrain : IGrainWithGuidKey
{
    [Alias("Get")]
    Task<OrganisationView?> Get();

    /// <summary>Creates the organisation; a second call returns the existing one unchanged.</summary>
    [Alias("Create")]
    Task<OrganisationView> Create(OrganisationDraft draft);

    [Alias("Update")]
    Task<OrganisationView?> Update(OrganisationPatch patch);

    [Alias("GetSigningSecret")]
    Task<SigningSecret?> GetSigningSecret();
}
