namespace Embever.Actors.Organisations;

[GenerateSerializer, Alias("Embever.Actors.OrganisationState")]
public sealed class OrganisationState
{
    [Id(0)] public OrganisationView? View { get; set; }

    /// <summary>Signs the organisation's webhooks (X-Org-Token), so it is kept in the clear.</summary>
    [Id(1)] public string Secret { get; set; } = "";
}
