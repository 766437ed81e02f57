using Embever.Actors.Devices;
using Embever.Actors.Tokens;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// Who is calling, from a validated access token: the token's kind and scope. Every visibility
/// rule of the API is a method here, so tenancy is decided in one place.
/// </summary>
public sealed record Caller(long TokenId, TokenKind Kind, Guid? OrganisationId, Guid? ApplicationId)
{
    public bool IsOperator => Kind == TokenKind.Operator;

    /// <summary>An organisation-wide token: manages tokens, applications and the organisation.</summary>
    public bool IsOrganisationWide => Kind == TokenKind.Organisation;

    public Guid Organisation => OrganisationId ?? throw new InvalidOperationException("The operator token has no organisation.");

    public bool CanSeeOrganisation(Guid organisationId) => !IsOperator && OrganisationId == organisationId;

    public bool CanSee(DeviceView device) =>
        !IsOperator && device.OrganisationId == OrganisationId && (ApplicationId is null || device.ApplicationId == ApplicationId);
}
