using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Deployments;

public sealed class DeploymentIndex(Database database) : IndexTable<DeploymentView>(database, "deployments")
{
    public Task UpsertAsync(DeploymentView view) => Database.ExecuteAsync(
        """
        INSERT INTO deployments (id, organisation_id, firmware_id, finished, created_at, body) VALUES (@id, @organisation, @firmware, @finished, @created, @body)
        ON CONFLICT (id) DO UPDATE SET finished = excluded.finished, body = excluded.body
        """,
        p => p.Add("id", view.Id).Add("organisation", view.OrganisationId.ToString()).Add("firmware", view.FirmwareId)
            .Add("finished", view.Finished).Add("created", Timestamps.ToMicroseconds(view.CreatedAt)).Add("body", Serialize(view)));
}
