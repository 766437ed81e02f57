using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Embever.Actors.Device.Link;
using Embever.Actors.Storage;
using Embever.Actors.Tests.Infrastructure;

namespace Embever.Actors.Tests.Coap;

/// <summary>
/// DTLS sessions outlive the silo that made them: a device goes on with its session after a
/// graceful restart and after a SIGKILL without a new handshake, and the gateway never sends two
/// records at one sequence number (read off the wire), because it reserves blocks of them in the
/// store before it uses them.
/// </summary>
public abstract class DtlsSessionContinuityTests(StoreKind kind)
{
    [Fact]
    public async Task A_session_goes_on_after_a_restart_and_after_a_SIGKILL_without_a_handshake_and_no_sequence_number_repeats()
    {
        var coaps = FreePorts.Next();
        await using var silo = await CrashableSilo.StartAsync(kind, $"--Embever:Coap:SecurePort={coaps}");
        var api = await silo.SessionAsync();
        var device = await api.CreateDeviceAsync("sleepy");
        var id = device["id"]!.GetValue<string>();

        using var link = (CoapDeviceLink)DeviceLinks.Open(new Uri($"coaps://127.0.0.1:{coaps}"), id, device["password"]!.GetValue<string>());
        var dtls = Assert.IsType<DtlsChannel>(link.Coap.Channel);
        Assert.True(dtls.UsesConnectionId);
        var sequences = new ConcurrentQueue<long>();
        dtls.Udp.Tap = datagram => RecordSequences(datagram, sequences);

        await link.ExchangeAsync(Event("before"));
        await silo.RestartAsync();
        var beforeRestart = link.Wire.Total;
        await link.ExchangeAsync(Event("after-restart"));
        Assert.True(link.Wire.Total - beforeRestart < 200, $"{link.Wire.Total - beforeRestart} bytes after a restart: more than a request and its answer");

        silo.Kill();
        await silo.RestartAsync();
        var beforeKill = link.Wire.Total;
        await link.ExchangeAsync(Event("after-kill"));
        await link.ExchangeAsync(Event("again"));
        Assert.True(link.Wire.Total - beforeKill < 400, $"{link.Wire.Total - beforeKill} bytes after a SIGKILL: more than two requests and their answers");

        api = await silo.SessionAsync();
        var events = await ApiSession.Json(await api.Get($"/v2/events/?device={id}"), HttpStatusCode.OK);
        Assert.Equal(["after-kill", "after-restart", "again", "before"], events.AsArray().Select(e => e!["type"]!.GetValue<string>()).Order());

        // The gateway's four answers, each at its own number: every holder (the first silo, the
        // restarted one, the one after the kill) starts above all that any earlier one could send.
        var seen = sequences.ToList();
        Assert.Equal(4, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(seen[1] >= 4096 && seen[2] >= 2 * 4096, $"sequence numbers {string.Join(", ", seen)}: a holder began inside an earlier one's block");
    }

    private static JsonObject Event(string type) => new() { ["events"] = new JsonArray(new JsonObject { ["type"] = type }) };

    /// <summary>The sequence numbers of the epoch-1 records in a datagram from the gateway.</summary>
    private static void RecordSequences(byte[] datagram, ConcurrentQueue<long> sequences)
    {
        var at = 0;
        while (at + 13 <= datagram.Length)
        {
            var cid = datagram[at] == 25 ? 8 : 0;
            var epochAndSequence = BinaryPrimitives.ReadUInt64BigEndian(datagram.AsSpan(at + 3));
            if (epochAndSequence >> 48 == 1)
            {
                sequences.Enqueue((long)(epochAndSequence & 0xFFFF_FFFF_FFFF));
            }

            at += 13 + cid + BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(at + 11 + cid));
        }
    }
}

[Collection(Cluster.ClusterCollection.Name)]
public sealed class DtlsSessionContinuityOnSqlite() : DtlsSessionContinuityTests(StoreKind.Sqlite);

[Collection(Cluster.ClusterCollection.Name)]
public sealed class DtlsSessionContinuityOnPostgres() : DtlsSessionContinuityTests(StoreKind.PostgreSql);

/// <summary>
/// A device whose datagrams reach another silo (its NAT binding changed behind a balancer without
/// affinity) keeps its session: the other silo finds it in the store by its Connection ID.
/// </summary>
[Collection(Cluster.ClusterCollection.Name)]
public sealed class DtlsSessionAcrossSilos
{
    [Fact]
    public async Task A_device_moving_between_two_silos_keeps_its_session_without_a_handshake()
    {
        await using var cluster = await LocalCluster.StartAsync(2);
        var api = await ApiSession.AuthenticateAsync(cluster.Silos[0].BaseAddress, cluster.OrganisationToken());
        var device = await api.CreateDeviceAsync("roaming");
        var id = device["id"]!.GetValue<string>();
        var first = new IPEndPoint(IPAddress.Loopback, cluster.CoapsPort("silo-0"));
        var second = new IPEndPoint(IPAddress.Loopback, cluster.CoapsPort("silo-1"));

        using var link = (CoapDeviceLink)DeviceLinks.Open(new Uri($"coaps://127.0.0.1:{first.Port}"), id, device["password"]!.GetValue<string>());
        var dtls = Assert.IsType<DtlsChannel>(link.Coap.Channel);
        await link.ExchangeAsync(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = "on-first" }) });

        foreach (var (to, type) in new[] { (second, "on-second"), (first, "back-on-first"), (second, "on-second-again") })
        {
            dtls.Udp.Retarget(to);
            var before = link.Wire.Total;
            await link.ExchangeAsync(new JsonObject { ["events"] = new JsonArray(new JsonObject { ["type"] = type }) });
            Assert.True(link.Wire.Total - before < 200, $"{link.Wire.Total - before} bytes to {to}: more than a request and its answer");
        }

        var events = await ApiSession.Json(await api.Get($"/v2/events/?device={id}"), HttpStatusCode.OK);
        Assert.Equal(["back-on-first", "on-first", "on-second", "on-second-again"], events.AsArray().Select(e => e!["type"]!.GetValue<string>()).Order());
    }
}
