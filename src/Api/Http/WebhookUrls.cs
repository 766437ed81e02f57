namespace Embever.Actors.Api.Http;

/// <summary>What a webhook target URL must look like to be accepted at all.</summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    public static string? Problem(string url) =>
        url.Length > MaxLength ? $"Must be at most {MaxLength} characters."
        : !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            ? "Must be an absolute http or https URL."
        : !string.IsNullOrEmpty(uri.UserInfo) ? "Must not carry credentials; webhooks are signed instead."
        : null;
}
