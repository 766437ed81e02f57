namespace Embever.Actors.Webhooks;

/// <summary>Turns what a webhook carries into the POST body: the resource as the API shows it, or only its payload/result.</summary>
public interface IWebhookBodyRenderer
{
    byte[] Render(WebhookSnapshot snapshot, bool payloadOnly);
}
