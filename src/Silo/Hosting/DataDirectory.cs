namespace Embever.Actors.Silo.Hosting;

/// <summary>
/// The data directory holds the SQLite file — with the JWT signing key and the secret-hashing key
/// in it — and the first-start token files: only the user the silo runs as may read any of it.
/// The directory is made (or set) 0700 and every file in it 0600 at each start, and the database
/// file is created 0600 before SQLite opens it, so its <c>-wal</c> and <c>-shm</c> (which SQLite
/// creates with the database file's mode) are private from the first byte.
/// </summary>
public static class DataDirectory
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;

    public static void Secure(string directory, string? databaseFile)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, PrivateDirectory);
        File.SetUnixFileMode(directory, PrivateDirectory);
        if (databaseFile is not null && !File.Exists(databaseFile))
        {
            using var _ = new FileStream(databaseFile, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private });
        }

        foreach (var file in Directory.EnumerateFiles(directory))
        {
            File.SetUnixFileMode(file, Private);
        }
    }
}
