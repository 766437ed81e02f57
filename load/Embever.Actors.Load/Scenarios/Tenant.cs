using System.Net;
using Embever.Actors.Load.Client;
using Embever.Actors.Load.Runner;

namespace Embever.Actors.Load.Scenarios;

/// <summary>
/// Each run works in an organisation of its own (made with the operator token), so that what it
/// lists and verifies is exactly what it created, on a fresh or a long-lived installation alike.
/// </summary>
public static class Tenant
{
    public static async Task<PlatformClient> CreateAsync(IReadOnlyList<Uri> targets, string operatorToken, string scenario)
    {
        var setup = new PlatformClient(targets);
        await setup.AuthenticateAsync(operatorToken);
        using var organisation = await setup.PostAsync("/v2/organisations/", new { name = $"load {scenario} {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}" });
        Require(organisation, HttpStatusCode.Created);
        var organisationId = (await PlatformClient.ReadJsonAsync(organisation))["id"]!.GetValue<string>();
        using var token = await setup.PostAsync("/v2/tokens/", new { alias = "load", organisation = organisationId });
        Require(token, HttpStatusCode.Created);
        var client = new PlatformClient(targets);
        await client.AuthenticateAsync((await PlatformClient.ReadJsonAsync(token))["token"]!.GetValue<string>());
        Progress.Line($"organisation [bold]{organisationId}[/] for this run");
        return client;
    }

    public static void Require(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        }
    }
}
