using System.Data.Common;

namespace Embever.Actors.Storage.Migrations;

/// <summary>
/// A step of the schema history written in C#, for data that SQL alone cannot move. Like a
/// script, it is applied once, in the migrator's transaction, and never changed once released.
/// </summary>
public interface IDataMigration
{
    /// <summary>Its place in the history, ordered with the script names (e.g. <c>007_device_state_to_rows</c>).</summary>
    string Id { get; }

    Task ApplyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);
}
