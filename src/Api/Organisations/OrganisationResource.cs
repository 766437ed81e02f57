using System.Text.Json.Serialization;
using Embever.Actors.Api.Http;
using Embever.Actors.Api.Retention;
using Embever.Actors.Organisations;
using Embever.Actors.Retention;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Organisations;

public sealed record OrganisationResource(
    string Url,
    Guid Id,
    string Name,
    string Street,
    string StreetNumber,
    string PostalCode,
    string City,
    string Country,
    int MaxTokenLifespanInSeconds,
    DateTime CreatedAt,
    RetentionResource Retention,
    RetentionResource RetentionInForce)
{
    /// <summary>Write-only: shown only in the answer to the request that set it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    public static OrganisationResource From(HttpContext context, OrganisationView view) => new(
        ResourceUrls.Of(context, "organisations", view.Id), view.Id, view.Name, view.Street, view.StreetNumber, view.PostalCode,
        view.City, view.Country, view.MaxTokenLifespanInSeconds, view.CreatedAt, RetentionResource.From(view.Retention),
        RetentionResource.From(context.RequestServices.GetRequiredService<IOptions<RetentionOptions>>().Value.InForce(view.Retention)));
}
