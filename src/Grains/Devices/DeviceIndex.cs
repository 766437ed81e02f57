using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Devices;

/// <summary>The devices table: lists, filters and the per-organisation unique name.</summary>
public sealed class DeviceIndex(Database database) : IndexTable<DeviceView>(database, "devices")
{
    /// <summary>
    /// A page of devices. Without a name the total is the sum of the counts the store keeps by
    /// organisation, application, type and activation (<c>device_counts</c>, kept by triggers):
    /// exact, and a few rows to read however large the fleet; a name matches one device at most.
    /// Deep pages start from remembered rows (<see cref="PageAnchors"/>).
    /// </summary>
    public Task<Page<DeviceView>> ListAsync(DeviceQuery query, PageRequest page) =>
        ListAsync(query.ToFilter(), page, kept: query.Name is null ? Kept(query.Scope) : null);

    /// <summary>
    /// Readies the deep pages of the scope's whole device list in the background (after an
    /// import: the operator who imported a million devices pages through them next).
    /// </summary>
    public void AnchorInBackground(TenantScope scope) => AnchorInBackground(new DeviceQuery(scope).ToFilter(), Kept(scope));

    /// <summary>Rows up to the last anchor of the scope's whole device list (tests).</summary>
    internal long AnchoredRows(TenantScope scope) => AnchoredRows(new DeviceQuery(scope).ToFilter());

    private static KeptTotals Kept(TenantScope scope) => new(
        "SELECT coalesce(sum(devices), 0) FROM device_counts",
        "SELECT coalesce(max(removed), 0) FROM device_removals WHERE organisation_id = @kept_organisation",
        scope.OrganisationId.ToString());

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
    /// Devices an import writes in one transaction. An import of thousands in one transaction
    /// would hold SQLite's one writer (and one of PostgreSQL's) for a quarter of a second, and
    /// every device exchange meanwhile would wait that long; in chunks, device commits go between.
    /// PostgreSQL has a second writer for them meanwhile, and a commit that waits for its disk:
    /// larger chunks there.
    /// </summary>
    public int ImportChunk => Database.Kind == StoreKind.Sqlite ? 100 : 500;

    /// <summary>
    /// Bulk import: all or none, each an ordinary device from then on. Written in chunks of
    /// <see cref="ImportChunk"/>; while other changes (device exchanges) were committed beside a
    /// chunk, the import waits as long as the chunk took before the next, so that it takes at most
    /// half the writer from a busy fleet (alone, it goes at full speed). When a chunk finds a name
    /// or id taken (a race with another create), the chunks written before it are deleted again
    /// and the import answers false, so the caller sees all or nothing; only a crash in the middle
    /// can leave the first chunks.
    /// </summary>
    public async Task<bool> ImportAsync(IReadOnlyList<DeviceRecord> devices)
    {
        var written = new List<string>(devices.Count);
        foreach (var chunk in devices.Chunk(ImportChunk))
        {
            var changes = new ChangeSet { Bulk = true };
            changes.NewDevices.AddRange(chunk);
            var before = Database.GroupCommit.Totals.ChangeSets;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await Database.CommitAsync(changes);
            }
            catch (Exception exception) when (Database.IsUniqueViolation(exception))
            {
                if (written.Count > 0)
                {
                    var undo = new ChangeSet { Bulk = true };
                    undo.DeletedDevices.AddRange(written);
                    await Database.CommitAsync(undo);
                }

                return false;
            }

            written.AddRange(chunk.Select(d => d.View.Id));
            if (Database.GroupCommit.Totals.ChangeSets - before > 1)
            {
                await Task.Delay(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }
        }

        return true;
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
