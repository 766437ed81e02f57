using Embever.Actors.Platform;
using Embever.Actors.Storage;
using Embever.Actors.Storage.Index;

namespace Embever.Actors.Deployments;

/// <summary>The updates table, written by device grains together with their _fota action rows.</summary>
public sealed class UpdateIndex(Database database) : IndexTable<UpdateView>(database, "updates")
{
    public Task<Page<UpdateView>> ListAsync(UpdateQuery query, PageRequest page) => ListAsync(query.ToFilter(), page);

    /// <summary>Which of these devices have an unfinished update.</summary>
    public async Task<List<string>> BusyDevicesAsync(IReadOnlyList<string> deviceIds)
    {
        var busy = new List<string>();
        foreach (var chunk in deviceIds.Chunk(500))
        {
            var names = string.Join(", ", chunk.Select((_, i) => $"@d{i}"));
            busy.AddRange(await Database.QueryAsync(
                $"SELECT DISTINCT device_id FROM updates WHERE finished = @finished AND device_id IN ({names})",
                p =>
                {
                    p.Add("finished", false);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        p.Add($"d{i}", chunk[i]);
                    }
                },
                reader => reader.GetString(0)));
        }

        return busy;
    }

    public async Task<List<UpdateView>> ForDeploymentAsync(long deploymentId) =>
        await Database.QueryAsync("SELECT body FROM updates WHERE deployment_id = @id", p => p.Add("id", deploymentId), Read);
}
