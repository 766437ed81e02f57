using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Deployments;

public sealed class DeploymentIndex(Database database) : IndexTable<DeploymentView>(database, "deployments")
{
    /// <summary>Adds the deployment's row to a write.</summary>
    public static SqlBatch Upsert(SqlBatch batch, DeploymentView view) => batch.Add(
        """
        INSERT INTO deployments (id, organisation_id, firmware_id, finished, created_at, body) VALUES ({0}, {1}, {2}, {3}, {4}, {5})
        ON CONFLICT (id) DO UPDATE SET finished = excluded.finished, body = excluded.body
        """,
        view.Id, view.OrganisationId.ToString(), view.FirmwareId, view.Finished, Timestamps.ToMicroseconds(view.CreatedAt), Serialize(view));
}
