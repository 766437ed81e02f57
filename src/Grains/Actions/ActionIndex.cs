using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Actions;

/// <summary>Every action ever created, finished or not; its device grain writes the row on every change.</summary>
public sealed class ActionIndex(Database database) : IndexTable<DeviceAction>(database, "actions")
{
    public Task<Page<DeviceAction>> ListAsync(ActionQuery query, PageRequest page) => ListAsync(query.ToFilter(), page);

    /// <summary>The device's stored actions among <paramref name="ids"/>; others' ids are simply not found.</summary>
    public async Task<IReadOnlyList<DeviceAction>> FindForDeviceAsync(string deviceId, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var names = string.Join(", ", ids.Select((_, i) => $"@id{i}"));
        return await Database.QueryAsync(
            $"SELECT body FROM actions WHERE device_id = @device AND id IN ({names})",
            p =>
            {
                p.Add("device", deviceId);
                var i = 0;
                foreach (var id in ids)
                {
                    p.Add($"id{i++}", id);
                }
            },
            reader => Deserialize(reader.GetString(0)));
    }

    /// <summary>Whether one of the device's actions sends the file.</summary>
    public async Task<bool> ReferencesFileAsync(string deviceId, string fileId) =>
        await Database.ScalarAsync<long>(
            "SELECT count(*) FROM actions WHERE device_id = @device AND file_id = @file",
            p => p.Add("device", deviceId).Add("file", fileId)) > 0;
}
