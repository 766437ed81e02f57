using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Devices;

/// <summary>The devices table: lists, filters and the per-organisation unique name.</summary>
public sealed class DeviceIndex(Database database) : IndexTable<DeviceView>(database, "devices")
{
    public async Task<DeviceWriteError> InsertAsync(DeviceView view)
    {
        try
        {
            await Database.ExecuteAsync(
                """
                INSERT INTO devices (id, organisation_id, application_id, name, type, activated, created_at, body)
                VALUES (@id, @organisation_id, @application_id, @name, @type, @activated, @created_at, @body)
                """,
                p => Bind(p, view));
            return DeviceWriteError.None;
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            var idTaken = await Database.ScalarAsync<long>("SELECT count(*) FROM devices WHERE id = @id", p => p.Add("id", view.Id)) > 0;
            return idTaken ? DeviceWriteError.IdTaken : DeviceWriteError.NameTaken;
        }
    }

    public async Task<DeviceWriteError> UpdateAsync(DeviceView view)
    {
        try
        {
            await Database.ExecuteAsync(
                """
                UPDATE devices SET application_id = @application_id, name = @name, type = @type, activated = @activated, body = @body
                WHERE id = @id
                """,
                p => Bind(p, view));
            return DeviceWriteError.None;
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            return DeviceWriteError.NameTaken;
        }
    }

    private static void Bind(SqlParameters p, DeviceView view) => p
        .Add("id", view.Id)
        .Add("organisation_id", view.OrganisationId.ToString())
        .Add("application_id", view.ApplicationId?.ToString())
        .Add("name", view.Name)
        .Add("type", view.Type)
        .Add("activated", view.Activated)
        .Add("created_at", Timestamps.ToMicroseconds(view.CreatedAt))
        .Add("body", Serialize(view));
}
