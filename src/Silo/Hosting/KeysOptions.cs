using Embever.Actors.Security;

namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// Where the key-encryption key comes from (<c>Embever:Keys</c>): <see cref="Key"/> (base64, e.g.
/// the environment variable <c>Embever__Keys__Key</c>), else the file <see cref="File"/>, by
/// default <c>platform.key</c> in the data directory, created (mode 0600) on a start that finds
/// none. In cluster mode every silo needs the same key: a mounted secret.
/// </summary>
public sealed class KeysOptions
{
    public string? Key { get; set; }

    public string? File { get; set; }

    /// <summary>While rotating the key-encryption key: the old one's file; what it sealed is sealed again under the new one at start.</summary>
    public string? PreviousFile { get; set; }

    /// <summary>The key this silo seals the platform's keys with; creates the default file when there is none.</summary>
    public KeyEncryptionKey Load(string dataDirectory)
    {
        var previous = PreviousFile is { } old ? KeyEncryptionKey.FromBase64(System.IO.File.ReadAllText(old)) : null;
        if (!string.IsNullOrWhiteSpace(Key))
        {
            return KeyEncryptionKey.FromBase64(Key, previous);
        }

        var path = File ?? Path.Combine(dataDirectory, "platform.key");
        if (!System.IO.File.Exists(path))
        {
            if (File is not null)
            {
                throw new InvalidOperationException($"Embever:Keys:File names {path}, which does not exist: mount the platform's key-encryption key there.");
            }

            Directory.CreateDirectory(dataDirectory);
            SecretFile.Write(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(KeyEncryptionKey.Size)) + "\n");
        }

        return KeyEncryptionKey.FromBase64(System.IO.File.ReadAllText(path), previous);
    }
}
