using Embever.Actors.Organisations;
using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Applications;

public sealed class ApplicationIndex(Database database) : IndexTable<ApplicationView>(database, "applications")
{
    /// <summary>
    /// Deletes the application's row unless devices are linked to it; answers how many are (0:
    /// deleted). One decision against devices being linked to it at the same time; the erasure of
    /// what it leaves (<see cref="TenantEraser"/>) is asked for in the same transaction.
    /// </summary>
    public Task<long> DeleteUnlessLinkedAsync(Guid organisationId, Guid id) => Database.DeleteUnlessReferencedAsync(
        "applications", id.ToString(), "SELECT count(*) FROM devices WHERE application_id = @id", TenantErasure.Of(organisationId, id));

    public Task UpsertAsync(ApplicationView view) => Database.ExecuteAsync(
        """
        INSERT INTO applications (id, organisation_id, created_at, body) VALUES (@id, @organisation_id, @created_at, @body)
        ON CONFLICT (id) DO UPDATE SET body = excluded.body
        """,
        p => p.Add("id", view.Id.ToString())
            .Add("organisation_id", view.OrganisationId.ToString())
            .Add("created_at", Timestamps.ToMicroseconds(view.CreatedAt))
            .Add("body", Serialize(view)));

    /// <summary>An organisation's applications, for the store's own background work: on the reads lane, without a total.</summary>
    public Task<List<ApplicationView>> OfOrganisationAsync(Guid organisationId, CancellationToken cancellationToken) => Database.QueryAsync(
        "SELECT body FROM applications WHERE organisation_id = @organisation ORDER BY created_at, id",
        p => p.Add("organisation", organisationId.ToString()),
        r => Deserialize(r.GetString(0)),
        cancellationToken);
}
