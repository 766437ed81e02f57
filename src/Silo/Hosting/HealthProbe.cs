namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// <c>Embever.Actors.Silo --healthcheck [url]</c>: exits 0 when the silo's <c>/health</c> answers 200.
/// The container image has no curl; its HEALTHCHECK runs this.
/// </summary>
public static class HealthProbe
{
    public const string Flag = "--healthcheck";

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.SkipWhile(a => a != Flag).Skip(1).FirstOrDefault() ?? "http://127.0.0.1:8080/health";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}
