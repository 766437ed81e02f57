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

    /// <summary>Rewrites the device's row as part of a larger write (the exchange's <c>last_seen_at</c>).</summary>
    public static void Update(SqlBatch batch, DeviceView view) =>
        batch.Add("UPDATE devices SET body = {0} WHERE id = {1}", Serialize(view), view.Id);

    /// <summary>Current names of the given devices, for resources that show <c>{id, name}</c>.</summary>
    public async Task<Dictionary<string, string>> NamesAsync(IEnumerable<string> ids)
    {
        var distinct = ids.Distinct().ToList();
        if (distinct.Count == 0)
        {
            return [];
        }

        var names = string.Join(", ", distinct.Select((_, i) => $"@id{i}"));
        var rows = await Database.QueryAsync(
            $"SELECT id, name FROM devices WHERE id IN ({names})",
            p =>
            {
                for (var i = 0; i < distinct.Count; i++)
                {
                    p.Add($"id{i}", distinct[i]);
                }
            },
            reader => (Id: reader.GetString(0), Name: reader.GetString(1)));
        return rows.ToDictionary(r => r.Id, r => r.Name);
    }

    /// <summary>The device of this organisation with this name, if any.</summary>
    public async Task<string?> FindByNameAsync(Guid organisationId, string name)
    {
        var rows = await Database.QueryAsync(
            "SELECT id FROM devices WHERE organisation_id = @organisation AND name = @name",
            p => p.Add("organisation", organisationId.ToString()).Add("name", name),
            reader => reader.GetString(0));
        return rows.Count == 0 ? null : rows[0];
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
