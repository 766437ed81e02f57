namespace Embever.Actors.Applications;

[GenerateSerializer, Alias("Embever.Actors.ApplicationState")]
public sealed class ApplicationState
{
    [Id(0)] public ApplicationView? View { get; set; }

    /// <summary>Signs webhooks of the application's devices (X-App-Token), so it is kept in the clear.</summary>
    [Id(1)] public string Secret { get; set; } = "";
}
