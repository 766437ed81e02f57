using BenchmarkDotNet.Attributes;
using Embever.Actors.Actions;

namespace Embever.Actors.Benchmarks;

/// <summary>The action state machine on a device with 1, 10 and 100 action types buffered.</summary>
[MemoryDiagnoser]
public class ActionBufferBenchmarks
{
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private ActionBuffer buffer = null!;
    private string[] types = [];
    private long nextId;

    [Params(1, 10, 100)]
    public int Types { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        buffer = new ActionBuffer([], []);
        types = Enumerable.Range(0, Types).Select(t => $"type{t}").ToArray();
        foreach (var type in types)
        {
            buffer.Add(NewAction(type, 1), Now);
        }
    }

    /// <summary>A new action that overrides the buffered one of its type (the buffer keeps its size).</summary>
    [Benchmark]
    public ActionChanges CreateOverriding() => buffer.Add(NewAction(types[nextId % types.Length], 1), Now);

    /// <summary>One wakeup that sends every type, then one that acknowledges them all, then refilling the buffer.</summary>
    [Benchmark]
    public int ExchangeSendAndAcknowledge()
    {
        var sent = buffer.Exchange(ActionReports.None, [], Now);
        var acks = sent.Outgoing.Select(a => a.Id).ToList();
        var acknowledged = buffer.Exchange(new ActionReports(acks, [], []), [], Now);
        foreach (var type in types)
        {
            buffer.Add(NewAction(type, 1), Now);
        }

        return acknowledged.Changes.Reached.Count;
    }

    private DeviceAction NewAction(string type, int level) => new()
    {
        Id = ++nextId,
        DeviceId = "bench",
        OrganisationId = Guid.Empty,
        Type = type,
        ServiceLevel = level,
        CreatedAt = Now,
        PayloadJson = "{\"someSetting\":54}",
    };
}
