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

    /// <summary>
    /// Bulk import: many devices in one transaction, each with its password hash in the row for
    /// the device grain to adopt on first activation. False when a name or id was taken (nothing is written).
    /// </summary>
    public async Task<bool> ImportAsync(IReadOnlyList<(DeviceView View, byte[] PasswordHash)> devices)
    {
        var batch = new SqlBatch();
        foreach (var chunk in devices.Chunk(200))
        {
            var rows = new List<string>();
            var values = new List<object?>();
            foreach (var (view, hash) in chunk)
            {
                var at = values.Count;
                rows.Add($"({{{at}}}, {{{at + 1}}}, {{{at + 2}}}, {{{at + 3}}}, {{{at + 4}}}, {{{at + 5}}}, {{{at + 6}}}, {{{at + 7}}}, {{{at + 8}}})");
                values.AddRange([view.Id, view.OrganisationId.ToString(), view.ApplicationId?.ToString(), view.Name, view.Type, view.Activated,
                    Timestamps.ToMicroseconds(view.CreatedAt), Serialize(view), hash]);
            }

            batch.Add(
                "INSERT INTO devices (id, organisation_id, application_id, name, type, activated, created_at, body, imported_password_hash) VALUES " + string.Join(", ", rows),
                [.. values]);
        }

        try
        {
            await batch.ExecuteAsync(Database);
            return true;
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            return false;
        }
    }

    /// <summary>An imported device not yet adopted by its grain: its row and password hash.</summary>
    public async Task<(DeviceView View, byte[] PasswordHash)?> FindImportedAsync(string id)
    {
        var rows = await Database.QueryAsync(
            "SELECT body, imported_password_hash FROM devices WHERE id = @id AND imported_password_hash IS NOT NULL",
            p => p.Add("id", id),
            reader => (Deserialize(reader.GetString(0)), (byte[])reader.GetValue(1)));
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Names among these that the organisation already uses.</summary>
    public async Task<List<string>> TakenNamesAsync(Guid organisationId, IReadOnlyList<string> names)
    {
        var taken = new List<string>();
        foreach (var chunk in names.Chunk(500))
        {
            taken.AddRange(await Database.QueryAsync(
                $"SELECT name FROM devices WHERE organisation_id = @organisation AND name IN ({string.Join(", ", chunk.Select((_, i) => $"@n{i}"))})",
                p =>
                {
                    p.Add("organisation", organisationId.ToString());
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        p.Add($"n{i}", chunk[i]);
                    }
                },
                reader => reader.GetString(0)));
        }

        return taken;
    }

    /// <summary>Rewrites the device's row as part of a larger write (the exchange's <c>last_seen_at</c>).</summary>
    public static void Update(SqlBatch batch, DeviceView view) =>
        batch.Add("UPDATE devices SET body = {0}, imported_password_hash = NULL WHERE id = {1}", Serialize(view), view.Id);

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
