using System.Data.Common;
using Orleans.Serialization;
using Orleans.Storage;

namespace Embever.Actors.Storage.Migrations;

/// <summary>
/// Migration 007: device and deployment grains stopped keeping Orleans grain state; their rows
/// are their state. Every row those grains needed was already written before their state, so
/// the one thing to carry over is each device's password hash. The old grain states are then
/// deleted. (A row that says "buffered" but that the old state never knew — a ghost of a crash
/// between the two writes — becomes a real buffered action; the device grain settles any
/// duplicate of its type when it loads.)
/// </summary>
public sealed class DeviceStateToRows(Serializer serializer) : IDataMigration
{
    public string Id => "007_device_state_to_rows";

    public async Task ApplyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var states = new List<LegacyDeviceState>();
        var storage = new OrleansGrainStorageSerializer(serializer);
        await using (var select = Database.Prepare(connection, "SELECT payload FROM orleans_storage WHERE grain_type = 'device' AND payload IS NOT NULL", null, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (storage.Deserialize<LegacyDeviceState>(new BinaryData((byte[])reader.GetValue(0))) is { } state)
                {
                    states.Add(state);
                }
            }
        }

        await using var update = Database.Prepare(connection, "UPDATE devices SET password_hash = @hash WHERE id = @id AND password_hash IS NULL", null, transaction);
        var hash = update.CreateParameter();
        hash.ParameterName = "hash";
        var id = update.CreateParameter();
        id.ParameterName = "id";
        update.Parameters.Add(hash);
        update.Parameters.Add(id);
        foreach (var state in states.Where(s => s.View is not null && s.PasswordHash.Length > 0))
        {
            hash.Value = state.PasswordHash;
            id.Value = state.View!.Id;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var delete = Database.Prepare(connection, "DELETE FROM orleans_storage WHERE grain_type IN ('device', 'deployment')", null, transaction);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }
}
