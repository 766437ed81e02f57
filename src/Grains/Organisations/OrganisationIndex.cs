using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Organisations;

public sealed class OrganisationIndex(Database database) : IndexTable<OrganisationView>(database, "organisations")
{
    /// <summary>An organisation's own row: a tenant lists only itself.</summary>
    protected override string OrganisationColumn => "id";

    public Task UpsertAsync(OrganisationView view) => Database.ExecuteAsync(
        """
        INSERT INTO organisations (id, created_at, body) VALUES (@id, @created_at, @body)
        ON CONFLICT (id) DO UPDATE SET body = excluded.body
        """,
        p => p.Add("id", view.Id.ToString()).Add("created_at", Timestamps.ToMicroseconds(view.CreatedAt)).Add("body", Serialize(view)));

    /// <summary>Every organisation, oldest first: what the operator sees.</summary>
    public Task<Page<OrganisationView>> ListAllAsync(PageRequest page, CancellationToken cancellationToken = default) =>
        ListAsync(new Filter(), page, cancellationToken);

    /// <summary>
    /// Deletes the organisation's row unless devices belong to it (answers how many do; 0: deleted),
    /// and in the same transaction asks for the erasure of everything it held (<see cref="TenantEraser"/>).
    /// </summary>
    public Task<long> DeleteUnlessDevicesAsync(Guid id) => Database.DeleteUnlessReferencedAsync(
        "organisations", id.ToString(), "SELECT count(*) FROM devices WHERE organisation_id = @id", TenantErasure.Of(id, null));

    /// <summary>
    /// Every organisation, for the store's own background work (the retention sweep): on the reads
    /// lane, without a total, so it never takes a turn from callers' lists.
    /// </summary>
    public Task<List<OrganisationView>> AllAsync(CancellationToken cancellationToken) =>
        Database.QueryAsync("SELECT body FROM organisations ORDER BY created_at, id", null, r => Deserialize(r.GetString(0)), cancellationToken);

    public async Task<bool> AnyAsync() => await Database.ScalarAsync<long>("SELECT count(*) FROM organisations") > 0;
}
