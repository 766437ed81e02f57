namespace Embever.Actors.Storage;

/// <summary>The silo's store, as the diagnostics endpoint reads it (the API holds no <c>Database</c>).</summary>
public sealed class StoreState(Database database)
{
    public StoreDiagnostics Now() => StoreDiagnostics.Of(database);
}
