namespace Embever.Actors.Api.Http;

/// <summary>
/// Absolute URLs of resources, from the request's scheme and host (the forwarded-headers
/// middleware has already applied <c>X-Forwarded-Proto</c>/<c>X-Forwarded-Host</c>).
/// </summary>
public static class ResourceUrls
{
    public static string Base(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    public static string Collection(HttpContext context, string collection) => $"{Base(context)}/v2/{collection}/";

    public static string Of(HttpContext context, string collection, object id) => Platform.ResourceUrl.Of(Base(context), collection, id);
}
