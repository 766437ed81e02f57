namespace Embever.Actors.Webhooks;

/// <summary>Delivers one organisation's webhooks; activated by its stream (implicit subscription).</summary>
[Alias("Embever.Actors.IWebhookDispatcherGrain")]
public interface IWebhookDispatcherGrain : IGrainWithGuidKey
{
}
