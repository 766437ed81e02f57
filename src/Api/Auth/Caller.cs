using Embever.Actors.Storage.Index;
using Embever.Actors.Devices;
using Embever.Actors.Tokens;

namespace Embever.Actors.Api.Auth;

/// <summary>
/// Who is calling, from a validated access token: the token's kind and scope. Every visibility
/// rule of the API is a method here, so tenancy is decided in one place.
/// </summary>
public sealed record Caller(long TokenId, TokenKind Kind, Guid? OrganisationId, Guid? ApplicationId) : IBindableFromHttpContext<Caller>
{
    /// <summary>The caller as a handler parameter, set by the access-token authentication.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context, System.Reflection.ParameterInfo parameter) =>
        ValueTask.FromResult(context.Items[typeof(Caller)] as Caller);

    public bool IsOperator => Kind == TokenKind.Operator;

    /// <summary>An organisation-wide token: manages tokens, applications and the organisation.</summary>
    public bool IsOrganisationWide => Kind == TokenKind.Organisation;

    public Guid Organisation => OrganisationId ?? throw new InvalidOperationException("The operator token has no organisation.");

    /// <summary>Whether the caller sees an object of this organisation's device (which may be deleted): actions, events, updates, deliveries.</summary>
    public async Task<bool> CanSeeAsync(Guid organisationId, string deviceId, DeviceIndex devices)
    {
        if (IsOperator || OrganisationId != organisationId)
        {
            return false;
        }

        return ApplicationId is null || (await devices.GetAsync(deviceId) is { } device && CanSee(device));
    }

    /// <summary>Whose objects this caller's lists show.</summary>
    public TenantScope Scope => new(Organisation, ApplicationId);

    public bool CanSeeOrganisation(Guid organisationId) => !IsOperator && OrganisationId == organisationId;

    public bool CanSee(DeviceView device) =>
        !IsOperator && device.OrganisationId == OrganisationId && (ApplicationId is null || device.ApplicationId == ApplicationId);
}
