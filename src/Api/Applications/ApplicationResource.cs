using Embever.Actors.Api.Http;
using Embever.Actors.Applications;

namespace Embever.Actors.Api.Applications;

/// <summary>An application on the wire; its secret is write-only and never returned.</summary>
public sealed record ApplicationResource(string Url, Guid Id, string Alias, string Description, DateTime CreatedAt)
{
    public static ApplicationResource From(HttpContext context, ApplicationView view) =>
        new(ResourceUrls.Of(context, "applications", view.Id), view.Id, view.Alias, view.Description, view.CreatedAt);
}
