using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Embever.Actors.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace Embever.Actors.Api.Http;

/// <summary>
/// The store had no room for the request's work (a full list queue, no database connection in
/// time): 503 with <c>Retry-After</c> and a problem naming what ran out, never a 500. Logged once
/// a minute per resource, not a stack trace per request: under overload that log would be the
/// next thing to run out.
/// </summary>
public sealed partial class StoreBusyExceptionHandler(ILogger<StoreBusyExceptionHandler> logger) : IExceptionHandler
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, long> logged = new();

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (Busy(exception) is not { } busy || context.Response.HasStarted)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        var last = logged.GetOrAdd(busy.Resource, 0);
        if ((last == 0 || Stopwatch.GetElapsedTime(last, now) >= LogEvery) && logged.TryUpdate(busy.Resource, now, last))
        {
            LogBusy(busy.Resource, context.Request.Path);
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await Problems.Busy(busy.Message, busy.Resource).ExecuteAsync(context);
        return true;
    }

    /// <summary>The refusal itself, or one that came back from a grain call wrapped.</summary>
    private static StoreBusyException? Busy(Exception exception) => exception switch
    {
        StoreBusyException busy => busy,
        AggregateException { InnerExceptions: [var inner] } => Busy(inner),
        _ => exception.InnerException is { } inner ? Busy(inner) : null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store busy: its {Resource} ran out (first of this minute at {Path}); answering 503 with Retry-After")]
    private partial void LogBusy(string resource, string path);
}
