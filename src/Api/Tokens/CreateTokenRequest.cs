using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Applications;
using Embever.Actors.Organisations;

namespace Embever.Actors.Api.Tokens;

/// <summary><c>POST /v2/tokens/</c>.</summary>
/// <example>{"alias": "field-team", "application": "6b7e3f0e-2f7a-4a57-9f3c-2f1d7a0c9b11", "expiry_date": "2027-06-30T00:00:00.000000Z"}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTokenRequest : IRequestBody<CreateTokenRequest>
{
    [NotBlank, MaxLength(255)]
    public required string Alias { get; init; }

    /// <summary>The organisation: the caller's own; the operator token must name one.</summary>
    public Guid? Organisation { get; init; }

    /// <summary>Makes an application token, which sees only this application's devices.</summary>
    public Guid? Application { get; init; }

    /// <summary>When the token stops working; never when left out.</summary>
    [Future]
    public DateTime? ExpiryDate { get; init; }

    public static async Task CheckAsync(CreateTokenRequest request, HttpContext context, FieldErrors errors)
    {
        var caller = context.GetCaller();
        var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
        var organisation = request.Organisation ?? caller.OrganisationId;
        if (organisation is null)
        {
            errors.Add("organisation", "This field is required.");
        }
        else if (!caller.IsOperator && organisation != caller.OrganisationId)
        {
            errors.Add("organisation", "A token can only be made for the caller's own organisation.");
        }
        else if (await grains.GetGrain<IOrganisationGrain>(organisation.Value).Get() is null)
        {
            errors.Add("organisation", "No such organisation.");
        }

        if (request.Application is { } application && (await grains.GetGrain<IApplicationGrain>(application).Get())?.OrganisationId != organisation)
        {
            errors.Add("application", "No such application in this organisation.");
        }
    }
}
