namespace Embever.Actors.Storage;

/// <summary>Which database holds the platform: a local SQLite file (embedded) or PostgreSQL (cluster).</summary>
public enum StoreKind
{
    Sqlite,
    PostgreSql,
}
