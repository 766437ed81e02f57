using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Firmware;

/// <summary>The firmwares table: firmware needs no grain, as nothing about it changes after upload.</summary>
public sealed class FirmwareIndex(Database database) : IndexTable<FirmwareView>(database, "firmwares")
{
    public Task InsertAsync(FirmwareView view) => Database.ExecuteAsync(
        "INSERT INTO firmwares (id, organisation_id, created_at, body) VALUES (@id, @organisation, @created, @body)",
        p => p.Add("id", view.Id).Add("organisation", view.OrganisationId.ToString())
            .Add("created", Timestamps.ToMicroseconds(view.CreatedAt)).Add("body", Serialize(view)));

    /// <summary>Deletes the firmware unless an unfinished deployment rolls it out (false then), in one decision against deployments being created.</summary>
    public async Task<bool> DeleteUnlessDeployingAsync(string id) =>
        await Database.DeleteUnlessReferencedAsync("firmwares", id, "SELECT count(*) FROM deployments WHERE firmware_id = @id AND finished = FALSE") == 0;
}
