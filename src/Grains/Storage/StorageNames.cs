namespace Embever.Actors.Storage;

/// <summary>Names of the Orleans grain storages the silo registers.</summary>
public static class StorageNames
{
    /// <summary>Durable grain state of organisations, applications, tokens and devices.</summary>
    public const string Platform = "platform";

    /// <summary>Stream subscriptions; the name Orleans' stream providers look for.</summary>
    public const string PubSub = "PubSubStore";
}
