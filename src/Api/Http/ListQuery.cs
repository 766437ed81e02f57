using System.Reflection;
using Microsoft.AspNetCore.Mvc;

namespace Embever.Actors.Api.Http;

/// <summary>
/// What a list endpoint takes in its query: its filters (a parameters record's
/// <c>[FromQuery]</c> names), <c>limit</c> and <c>offset</c>, and for lists read incrementally
/// (events, actions, webhook deliveries) <c>since</c>, <c>order</c> and <c>after</c>. Anything
/// else is a 400 naming it, rather than a filter silently ignored (CONTRACT.md, "Reading lists
/// incrementally"). Endpoint metadata, read by <see cref="Paging"/>, and the filter that checks.
/// </summary>
public sealed class ListQuery(IReadOnlySet<string> names, bool incremental)
{
    public static readonly string[] Paged = ["limit", "offset"];
    public static readonly string[] Incremental = ["since", "order", "after"];

    public bool IsIncremental => incremental;

    public IReadOnlySet<string> Names => names;

    public static ListQuery For(Type? filters, bool incremental)
    {
        var names = new HashSet<string>(Paged, StringComparer.Ordinal);
        if (incremental)
        {
            names.UnionWith(Incremental);
        }

        foreach (var property in filters?.GetProperties() ?? [])
        {
            if (property.GetCustomAttribute<FromQueryAttribute>() is { } query)
            {
                names.Add(query.Name ?? property.Name);
            }
        }

        return new ListQuery(names, incremental);
    }

    /// <summary>The 400 for the first parameters this list does not know, or null.</summary>
    public ValidationProblem? Check(IQueryCollection query)
    {
        var unknown = query.Keys.Where(k => !names.Contains(k)).ToList();
        return unknown.Count == 0
            ? null
            : Problems.Validation(unknown.ToDictionary(k => k, _ => new[] { $"Not a parameter of this list; it takes {string.Join(", ", names.Order(StringComparer.Ordinal))}." }));
    }
}

public static class ListQueryEndpoints
{
    /// <summary>A list endpoint taking the filters of <typeparamref name="TFilters"/> (and paging); unknown parameters are a 400.</summary>
    public static RouteHandlerBuilder WithListQuery<TFilters>(this RouteHandlerBuilder builder, bool incremental = false) => builder.WithListQuery(typeof(TFilters), incremental);

    /// <summary>A list endpoint taking only paging.</summary>
    public static RouteHandlerBuilder WithListQuery(this RouteHandlerBuilder builder) => builder.WithListQuery(null, false);

    private static RouteHandlerBuilder WithListQuery(this RouteHandlerBuilder builder, Type? filters, bool incremental)
    {
        var query = ListQuery.For(filters, incremental);
        return builder.WithMetadata(query).AddEndpointFilter(async (context, next) =>
            query.Check(context.HttpContext.Request.Query) is { } problem ? problem : await next(context));
    }
}
