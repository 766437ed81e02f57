using Embever.Actors.Api.Http;
using Embever.Actors.Api.Retention;
using Embever.Actors.Applications;
using Embever.Actors.Retention;
using Microsoft.Extensions.Options;

namespace Embever.Actors.Api.Applications;

/// <summary>An application on the wire; its secret is write-only and never returned.</summary>
public sealed record ApplicationResource(
    string Url, Guid Id, string Alias, string Description, DateTime CreatedAt, RetentionResource Retention, RetentionResource RetentionInForce)
{
    /// <summary>The application as shown, with the periods in force given its organisation's settings.</summary>
    public static ApplicationResource From(HttpContext context, ApplicationView view, RetentionPeriods? organisation) => new(
        ResourceUrls.Of(context, "applications", view.Id), view.Id, view.Alias, view.Description, view.CreatedAt, RetentionResource.From(view.Retention),
        RetentionResource.From(context.RequestServices.GetRequiredService<IOptions<RetentionOptions>>().Value.InForce(organisation, view.Retention)));
}
