using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Api;

/// <summary>
/// Hundreds of devices exchanging in parallel while the API creates actions for them: every
/// action must end in exactly one correct final state.
/// </summary>
public abstract class ConcurrentDevicesTests(PlatformFixture fixture)
{
    private const int Devices = 200;
    private const int Actions = 600;
    private static readonly string[] Types = ["config", "measure", "locate"];

    private sealed class SimulatedDevice(DeviceSimulator simulator)
    {
        public DeviceSimulator Simulator => simulator;

        public ConcurrentBag<long> Received { get; } = [];

        private readonly List<long> acks = [];
        private readonly List<object> responses = [];

        /// <summary>Wakes, reports what it did with the previous answer, and does what it is told.</summary>
        public async Task<int> WakeAsync()
        {
            var exchange = await simulator.WakeAsync(acks: acks.ToList(), responses: responses.ToList());
            Assert.Empty(exchange.Rejected);
            acks.Clear();
            responses.Clear();
            foreach (var action in exchange.Actions)
            {
                var id = action["id"]!.GetValue<long>();
                Received.Add(id);
                var level = action["service_level"]!.GetValue<int>();
                if (level >= 1)
                {
                    acks.Add(id);
                }

                if (level == 2)
                {
                    responses.Add(new { action = id, result = new { echo = id }, result_code = "Success" });
                }
            }

            return exchange.Actions.Count + acks.Count;
        }
    }

    [Fact]
    public async Task Every_action_ends_in_exactly_one_correct_final_state()
    {
        var (_, session, _) = await fixture.NewOrganisationAsync();
        var devices = new List<SimulatedDevice>();
        foreach (var chunk in Enumerable.Range(0, Devices).Chunk(25))
        {
            devices.AddRange(await Task.WhenAll(chunk.Select(async i => new SimulatedDevice(await DeviceSimulator.CreateAsync(fixture, session, $"storm-{i}")))));
        }

        var created = new ConcurrentDictionary<long, (string Device, string Type, int Level)>();
        var creating = Task.Run(async () =>
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Actions), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                var device = devices[Random.Shared.Next(devices.Count)].Simulator.Id;
                var type = Types[Random.Shared.Next(Types.Length)];
                var level = Random.Shared.Next(3);
                var action = await session.CreateActionAsync(new { device = new { id = device }, type, service_level = level });
                created[action["id"]!.GetValue<long>()] = (device, type, level);
            });
        });
        var waking = Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (device, _) =>
        {
            while (!creating.IsCompleted)
            {
                await device.WakeAsync();
                await Task.Delay(Random.Shared.Next(5, 40));
            }
        });
        await Task.WhenAll(creating, waking);

        // Drain: wake until nobody has anything left to receive or report.
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (device, _) =>
        {
            for (var round = 0; round < 20 && await device.WakeAsync() > 0; round++)
            {
            }
        });

        var stored = await ListAllActionsAsync(session);
        Assert.Equal(created.Keys.Order(), stored.Keys.Order());
        var received = devices.SelectMany(d => d.Received).ToHashSet();
        foreach (var (id, (device, type, level)) in created)
        {
            var action = stored[id];
            var status = action["status"]!.AsObject();
            Assert.True(action["finished"]!.GetValue<bool>(), $"action {id} is not finished: {action.ToJsonString()}");
            if (status["action_overridden"] is not null)
            {
                var by = action["result"]!["overridden_by"]!.GetValue<long>();
                // "Newer" is the order the device received them in, not the id order: two actions
                // created at once may take their ids in one order and reach the device in the other.
                var newer = DateTime.Parse(stored[by]["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                    >= DateTime.Parse(action["created_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(by != id && newer && created[by].Device == device && created[by].Type == type, $"action {id} overridden by unrelated {by}");
                Assert.Null(status["action_sent"]);
                Assert.DoesNotContain(id, received);
                continue;
            }

            Assert.Contains(id, received);
            Assert.NotNull(status["action_sent"]);
            if (level >= 1)
            {
                Assert.NotNull(status["action_delivered"]);
            }

            if (level == 2)
            {
                Assert.NotNull(status["response_received"]);
                Assert.Equal(id, action["result"]!["echo"]!.GetValue<long>());
                Assert.Equal("Success", action["result_code"]!.GetValue<string>());
            }
        }
    }

    private static async Task<Dictionary<long, JsonNode>> ListAllActionsAsync(ApiSession session)
    {
        var all = new Dictionary<long, JsonNode>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = (await ApiSession.Json(await session.Get($"/v2/actions/?limit=1000&offset={offset}"), HttpStatusCode.OK)).AsArray();
            foreach (var action in page)
            {
                all[action!["id"]!.GetValue<long>()] = action;
            }

            if (page.Count < 1000)
            {
                return all;
            }
        }
    }
}

[Collection(SqlitePlatformCollection.Name)]
public sealed class ConcurrentDevicesOnSqlite(SqlitePlatformFixture fixture) : ConcurrentDevicesTests(fixture);

[Collection(PostgresPlatformCollection.Name)]
public sealed class ConcurrentDevicesOnPostgres(PostgresPlatformFixture fixture) : ConcurrentDevicesTests(fixture);
