using System.Net.Http.Headers;
using Polly.Timeout;

namespace Embever.Actors.Webhooks;

/// <summary>How one delivery attempt went; <c>Tries</c> counts the HTTP requests it took.</summary>
public sealed record SendOutcome(bool Delivered, bool Permanent, int Tries, int? StatusCode, string? Error);

/// <summary>
/// POSTs one delivery: its body as rendered when it fired, <c>Content-Type: application/json</c>,
/// the delivery id for de-duplication, and the signatures. Timeouts and quick transient retries
/// come from the resilience pipeline of the <c>webhooks</c> HttpClient; long-term retries are the
/// outbox's.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients)
{
    public const string ClientName = "webhooks";
    public const string DeliveryHeader = "X-Webhook-Delivery";
    public const string OrganisationTokenHeader = "X-Org-Token";
    public const string ApplicationTokenHeader = "X-App-Token";

    public async Task<SendOutcome> SendAsync(WebhookDispatch delivery, string? organisationToken, string? applicationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(DeliveryHeader, delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (organisationToken is not null)
        {
            request.Headers.Add(OrganisationTokenHeader, organisationToken);
        }

        if (applicationToken is not null)
        {
            request.Headers.Add(ApplicationTokenHeader, applicationToken);
        }

        var tries = new TryCounter();
        request.Options.Set(TryCounter.Key, tries);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new SendOutcome(true, false, tries.Count, code, null)
                : new SendOutcome(false, false, tries.Count, code, $"HTTP {code} {response.ReasonPhrase}");
        }
        catch (Exception exception) when (Find<WebhookTargetRefusedException>(exception) is { } refused)
        {
            return new SendOutcome(false, true, Math.Max(1, tries.Count), null, refused.Message);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutRejectedException or TaskCanceledException)
        {
            var reason = exception is TimeoutRejectedException or TaskCanceledException ? "timed out" : exception.Message;
            return new SendOutcome(false, false, Math.Max(1, tries.Count), null, reason);
        }
        catch (InvalidOperationException exception)
        {
            return new SendOutcome(false, true, Math.Max(1, tries.Count), null, exception.Message);
        }
    }

    internal static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }
}

/// <summary>Counts the HTTP requests one delivery attempt makes (the pipeline may retry).</summary>
public sealed class TryCounter
{
    public static readonly HttpRequestOptionsKey<TryCounter> Key = new("embever-webhook-tries");

    public int Count { get; set; }
}

/// <summary>Sits inside the resilience pipeline, so it sees each retry.</summary>
public sealed class TryCountingHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(TryCounter.Key, out var counter))
        {
            counter.Count++;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
