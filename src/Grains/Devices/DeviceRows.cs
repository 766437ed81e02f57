using Embever.Actors.Actions;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Commit;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Devices;

/// <summary>A device as its rows hold it: the device row, its unfinished actions, its latest finished ones.</summary>
public sealed record StoredDevice(DeviceRecord Record, IReadOnlyList<DeviceAction> Unfinished, IReadOnlyList<DeviceAction> RecentlyFinished);

/// <summary>
/// Reads a device's durable state when its grain activates (or reloads after a failed commit).
/// The rows are the device's only durable form; every write of them goes through the group commit.
/// </summary>
public sealed class DeviceRows(Database database)
{
    /// <summary>How many of the latest finished actions are read to find the recent sent ones.</summary>
    private const int FinishedToRead = 2 * ActionBuffer.RecentCapacity;

    public Task<StoredDevice?> LoadAsync(string id) => database.Reads.RunAsync((connection, _) => LoadAsync(connection, id));

    private static async Task<StoredDevice?> LoadAsync(System.Data.Common.DbConnection connection, string id)
    {
        DeviceRecord? record = null;
        await using (var command = Database.Prepare(connection, "SELECT body, password_hash FROM devices WHERE id = @id", p => p.Add("id", id)))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            if (await reader.ReadAsync())
            {
                // A device row without a hash (a row whose device never got its state) cannot authenticate.
                record = new DeviceRecord(RowBody.Deserialize<DeviceView>(reader.GetString(0)), reader.IsDBNull(1) ? [] : (byte[])reader.GetValue(1));
            }
        }

        if (record is null)
        {
            return null;
        }

        var unfinished = new List<DeviceAction>();
        var finished = new List<DeviceAction>();
        await using (var command = Database.Prepare(
            connection,
            $"""
            SELECT body FROM actions WHERE device_id = @id AND finished = FALSE
            UNION ALL
            SELECT body FROM (SELECT body FROM actions WHERE device_id = @id AND finished = TRUE ORDER BY created_at DESC, id DESC LIMIT {FinishedToRead}) latest
            """,
            p => p.Add("id", id)))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var action = RowBody.Deserialize<DeviceAction>(reader.GetString(0));
                (action.Finished ? finished : unfinished).Add(action);
            }
        }

        return new StoredDevice(record, Ordered(unfinished), Ordered(finished));
    }

    private static List<DeviceAction> Ordered(List<DeviceAction> actions) => actions.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToList();
}
