using Embever.Actors.Api.Http;

namespace Embever.Actors.Api.Root;

/// <summary>
/// <c>GET /v2/</c>: absolute links to every collection, so clients need build no URLs; and
/// <c>/</c>, which sends a person who opens the platform in a browser to the API reference.
/// </summary>
public static class EntryPointApi
{
    /// <summary>Where the browsable API reference is served.</summary>
    public const string ReferencePath = "/scalar/v1";

    private static readonly string[] Collections =
        ["devices", "actions", "events", "applications", "firmwares", "deployments", "updates", "organisations", "tokens", "authenticate"];

    public static IEndpointRouteBuilder MapEntryPointApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/", (HttpContext context) =>
                TypedResults.Ok(Collections.ToDictionary(c => c, c => ResourceUrls.Collection(context, c))))
            .WithTags("Entry point")
            .AllowAnonymous()
            .WithName("entryPoint")
            .WithSummary("Absolute links to every collection")
            .WithDescription("Absolute URLs of the collections, so a client builds no URLs of its own.");
        routes.MapGet("/", () => TypedResults.Redirect(ReferencePath)).AllowAnonymous().ExcludeFromDescription();
        return routes;
    }
}
