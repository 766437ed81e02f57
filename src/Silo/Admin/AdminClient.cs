using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Embever.Actors.Silo.Admin;

/// <summary>
/// The admin command's way in: the platform's own API over HTTP, as the operator. What only an
/// organisation may do (import its devices, rotate its secret) goes through a short-lived
/// organisation token made for the purpose and revoked after it, so every rule of the API
/// holds for the admin command too.
/// </summary>
public sealed class AdminClient(HttpClient http, string operatorToken) : IDisposable
{
    private string? operatorAccess;

    public async Task<JsonArray> ListOrganisationsAsync()
    {
        var all = new JsonArray();
        for (var offset = 0; ; offset += 1000)
        {
            var page = (await SendAsync(HttpMethod.Get, $"/v2/organisations/?limit=1000&offset={offset}", null, await OperatorAsync())).AsArray();
            foreach (var organisation in page.ToList())
            {
                page.Remove(organisation);
                all.Add(organisation);
            }

            if (all.Count < offset + 1000)
            {
                return all;
            }
        }
    }

    public async Task<JsonArray> ListSigningKeysAsync() =>
        (await SendAsync(HttpMethod.Get, "/v2/signing-keys/", null, await OperatorAsync())).AsArray();

    public async Task<JsonNode> RotateSigningKeyAsync() =>
        await SendAsync(HttpMethod.Post, "/v2/signing-keys/", new { }, await OperatorAsync());

    public async Task<JsonNode> CreateOrganisationAsync(string name, int? lifespan) =>
        await SendAsync(HttpMethod.Post, "/v2/organisations/", new { name, max_token_lifespan_in_seconds = lifespan }, await OperatorAsync());

    public async Task<JsonNode> CreateTokenAsync(Guid organisation, string alias, Guid? application, DateTime? expiry) =>
        await SendAsync(HttpMethod.Post, "/v2/tokens/", new { alias, organisation, application, expiry_date = expiry }, await OperatorAsync());

    public Task RevokeTokenAsync(Guid organisation, long token) =>
        AsOrganisationAsync(organisation, access => SendAsync(HttpMethod.Delete, $"/v2/tokens/{token}/", null, access));

    public Task<JsonNode> ImportDevicesAsync(Guid organisation, IReadOnlyList<string> names, Guid? application, bool activated) =>
        AsOrganisationAsync(organisation, access => SendAsync(
            HttpMethod.Post, "/v2/devices/import/", new { devices = names.Select(name => new { name }), application, activated }, access));

    public Task<JsonNode> RotateSecretAsync(Guid organisation, string secret) =>
        AsOrganisationAsync(organisation, access => SendAsync(HttpMethod.Patch, $"/v2/organisations/{organisation}/", new { secret }, access));

    public void Dispose() => http.Dispose();

    private async Task<string> OperatorAsync() => operatorAccess ??= await AuthenticateAsync(operatorToken);

    /// <summary>Runs <paramref name="work"/> with an organisation token that lives ten minutes at most and is revoked after.</summary>
    private async Task<T> AsOrganisationAsync<T>(Guid organisation, Func<string, Task<T>> work)
    {
        var token = await CreateTokenAsync(organisation, $"admin command {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}", null, DateTime.UtcNow.AddMinutes(10));
        var id = token["id"]!.GetValue<long>();
        var access = await AuthenticateAsync(token["token"]!.GetValue<string>());
        try
        {
            return await work(access);
        }
        finally
        {
            await SendAsync(HttpMethod.Delete, $"/v2/tokens/{id}/", null, access);
        }
    }

    private async Task<string> AuthenticateAsync(string token) =>
        (await SendAsync(HttpMethod.Post, "/v2/authenticate/", new { application_token = token }, null))["access"]!.GetValue<string>();

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, object? body, string? access)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (access is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new AdminException($"{method} {path}: {(int)response.StatusCode} {Explain(text)}");
        }

        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>A problem's detail and the fields it names, on one line.</summary>
    private static string Explain(string problem)
    {
        try
        {
            var node = JsonNode.Parse(problem);
            var errors = node?["errors"]?.AsObject().Select(e => $"{e.Key}: {string.Join(" ", e.Value!.AsArray().Select(m => m!.GetValue<string>()))}");
            return string.Join("; ", new[] { node?["detail"]?.GetValue<string>() }.Concat(errors ?? []).Where(t => !string.IsNullOrEmpty(t)));
        }
        catch (JsonException)
        {
            return problem;
        }
    }
}

/// <summary>A refusal the admin command prints as one line and exits 1 for.</summary>
public sealed class AdminException(string message) : Exception(message);
