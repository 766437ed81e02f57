namespace Embever.Actors.Platform;

/// <summary>The absolute URL of one resource under a base URL (the request's, or the configured public URL for webhook bodies).</summary>
public static class ResourceUrl
{
    public static string Of(string baseUrl, string collection, object id) => $"{baseUrl.TrimEnd('/')}/v2/{collection}/{id}/";
}
