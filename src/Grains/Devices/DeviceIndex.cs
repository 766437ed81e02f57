using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Devices;

/// <summary>The devices table: lists, filters and the per-organisation unique name.</summary>
public sealed class DeviceIndex(Database database) : IndexTable<DeviceView>(database, "devices")
{
    public Task<Page<DeviceView>> ListAsync(DeviceQuery query, PageRequest page) => ListAsync(query.ToFilter(), page);

    /// <summary>
    /// Which of <paramref name="ids"/> are devices the scope sees, 500 ids a query. Only the ids are
    /// read: no rows, and no list total (whose cache would keep an entry per id list).
    /// </summary>
    public async Task<HashSet<string>> VisibleAsync(TenantScope scope, IEnumerable<string> ids)
    {
        var visible = new HashSet<string>();
        foreach (var chunk in ids.Chunk(500))
        {
            var filter = scope.Devices().Raw(
                $"id IN ({string.Join(", ", chunk.Select((_, i) => $"@d{i}"))})", chunk.Select((id, i) => ($"d{i}", (object?)id)).ToArray());
            visible.UnionWith(await Database.QueryAsync($"SELECT id FROM devices{filter.Sql}", filter.Bind, r => r.GetString(0)));
        }

        return visible;
    }

    /// <summary>Whether a device row has this id (after a unique violation: the id, or else the name, was taken).</summary>
    public async Task<bool> ExistsAsync(string id) =>
        await Database.ScalarAsync<long>("SELECT count(*) FROM devices WHERE id = @id", p => p.Add("id", id)) > 0;

    /// <summary>
    /// Bulk import: many devices in one change set, all or none, each an ordinary device from
    /// then on. False when a name or id was taken (nothing is written).
    /// </summary>
    public async Task<bool> ImportAsync(IReadOnlyList<DeviceRecord> devices)
    {
        var changes = new ChangeSet();
        changes.NewDevices.AddRange(devices);
        try
        {
            await Database.CommitAsync(changes);
            return true;
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            return false;
        }
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
}
