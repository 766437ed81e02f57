namespace Embever.Actors.Storage.Commit;

/// <summary>How the group commit batches (<c>Embever:Commit</c>; docs/operations.md).</summary>
public sealed class CommitOptions
{
    /// <summary>The most change sets one transaction takes.</summary>
    public int MaxChangeSets { get; set; } = 1000;

    /// <summary>
    /// How long a writer may wait for more change sets after the first before it commits (0: it
    /// commits what is there at once; batches still form while a commit is under way).
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Transactions under way at once on PostgreSQL, each on its own connection (SQLite: always one).</summary>
    public int PostgreSqlWriters { get; set; } = 2;
}
