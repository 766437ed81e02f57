namespace Embever.Actors.Storage;

/// <summary>Whether the platform's store answers, for readiness: one trivial query, bounded in time.</summary>
public sealed class StoreProbe(Database database)
{
    public StoreKind Kind => database.Kind;

    /// <summary>Null when the store answered within <paramref name="timeout"/>; otherwise why not.</summary>
    public async Task<string?> ProblemAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            await database.ScalarAsync<long>("SELECT 1", null, bounded.Token);
            return null;
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or OperationCanceledException)
        {
            return exception.Message;
        }
    }
}
