using System.Diagnostics;

namespace Embever.Actors.Telemetry;

/// <summary>
/// The platform's own spans (activity source <c>Embever.Actors</c>), between those of ASP.NET
/// Core, Orleans and HttpClient: a wakeup's work in its device grain, the group commit that
/// wrote it (linked to every change set it merged), and a webhook's delivery (a child of the
/// change that fired it, carried with the delivery across the stream).
/// </summary>
public static class PlatformTracing
{
    public const string SourceName = "Embever.Actors";

    public static readonly ActivitySource Source = new(SourceName, typeof(PlatformTracing).Assembly.GetName().Version?.ToString());

    /// <summary>The current span's context as a W3C traceparent, to carry where the span cannot go (a stream, a row); null when not traced.</summary>
    public static string? CurrentParent() => Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null;

    /// <summary>A span continuing one carried as <see cref="CurrentParent"/>.</summary>
    public static Activity? StartFrom(string name, string? parent, ActivityKind kind = ActivityKind.Internal) =>
        parent is not null && ActivityContext.TryParse(parent, null, out var context)
            ? Source.StartActivity(name, kind, context)
            : Source.StartActivity(name, kind);
}
