using System.Diagnostics;
using Embever.Actors.Api.Auth;
using Embever.Actors.Api.Http;
using Embever.Actors.Storage;

namespace Embever.Actors.Api.Diagnostics;

/// <summary>
/// <c>GET /v2/diagnostics/</c> (an addition, operator token only): the answering silo's memory, its
/// store (SQLite's memory and log) and the cluster's grain activations by type, for capacity planning and the fleet benchmark.
/// <c>?collect=true</c> runs a full garbage collection first, so the figures show what is live.
/// </summary>
public static class DiagnosticsApi
{
    public static IEndpointRouteBuilder MapDiagnosticsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/diagnostics/", Get).WithTags("Diagnostics").RequireAuthorization()
            .WithName("getDiagnostics").WithSummary("Memory and activations of this silo (operator)")
            .WithDescription("For load tests and operators: `collect=true` runs a full garbage collection first.");
        return routes;
    }

    private static async Task<Results<Ok<Diagnostics>, ForbiddenProblem>> Get(Caller caller, IGrainFactory grains, StoreState store, IServiceProvider services, bool collect = false)
    {
        if (!caller.IsOperator)
        {
            return Problems.Forbidden("Only the operator token reads diagnostics.");
        }

        if (collect)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        using var process = Process.GetCurrentProcess();
        var memory = GC.GetGCMemoryInfo();
        var dtls = services.GetService<Coap.Dtls.DtlsEndpoint>();
        return TypedResults.Ok(new Diagnostics(
            Environment.MachineName,
            process.TotalProcessorTime.TotalSeconds,
            process.WorkingSet64,
            GC.GetTotalMemory(forceFullCollection: false),
            memory.TotalCommittedBytes,
            statistics.GroupBy(s => s.GrainType).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount)),
            store.Now(),
            dtls is null ? null : new DtlsDiagnostics(dtls.Sessions, dtls.HalfOpen)));
    }
}

/// <summary>This silo's CPU time so far, its memory, its grain activations by grain type, its store, and its DTLS gateway (null when off).</summary>
public sealed record Diagnostics(string Silo, double CpuSeconds, long WorkingSetBytes, long GcHeapBytes, long GcCommittedBytes, Dictionary<string, int> Activations, StoreDiagnostics Store, DtlsDiagnostics? Dtls);

/// <summary>DTLS sessions this silo holds in memory, and handshakes under way.</summary>
public sealed record DtlsDiagnostics(int SessionsHeld, int HandshakesUnderWay);
