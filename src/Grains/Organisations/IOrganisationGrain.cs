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

    /// <summary>
    /// Forgets the organisation once its row is deleted: revokes its tokens, deletes its
    /// applications (their grains) and clears its state. Its rows are <see cref="TenantEraser"/>'s.
    /// </summary>
    [Alias("Delete")]
    Task Delete();

    [Alias("GetSigningSecret")]
    Task<SigningSecret?> GetSigningSecret();
}
