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

    /// <summary>Whether an unfinished deployment rolls this firmware out.</summary>
    public async Task<bool> InUseAsync(string id) =>
        await Database.ScalarAsync<long>(
            "SELECT count(*) FROM deployments WHERE firmware_id = @id AND finished = @finished",
            p => p.Add("id", id).Add("finished", false)) > 0;
}
