namespace Embever.Actors.Storage;

/// <summary>Names of the Orleans grain storages the silo registers.</summary>
public static class StorageNames
{
    /// <summary>Durable grain state of organisations, applications, tokens and devices.</summary>
    public const string Platform = "platform";
}
