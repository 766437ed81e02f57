namespace Embever.Actors.Webhooks;

/// <summary>Delivers one organisation's webhooks; activated by its stream (implicit subscription).</summary>
[Alias("Embever.Actors.IWebhookDispatcherGrain")]
public interface IWebhookDispatcherGrain : IGrainWithGuidKey
{
    /// <summary>The organisation's or one of its applications' secret changed: sign with the new one from now on.</summary>
    [Alias("ForgetSigningKeys")]
    Task ForgetSigningKeys();
}
