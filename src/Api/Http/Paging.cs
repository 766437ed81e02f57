using System.Globalization;
using Embever.Actors.Platform;
using Embever.Actors.Storage.Index;
using Microsoft.AspNetCore.WebUtilities;

namespace Embever.Actors.Api.Http;

/// <summary><c>?limit=</c> (default 100, at most 1000; more is a 400) and <c>?offset=</c>, for some lists <c>?since=</c>, <c>?order=</c> and <c>?after=</c>, and the headers that describe the page.</summary>
public static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The largest offset (2^53 - 1, exact in JSON too): past it no list has rows, and offset + limit never overflows.</summary>
    public const long MaxOffset = 9_007_199_254_740_991;

    public static (PageRequest Page, ValidationProblem? Problem) Read(HttpRequest request)
    {
        var limit = DefaultLimit;
        long offset = 0;
        if (request.Query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return (default, Problems.Field("limit", $"Must be an integer from 1 to {MaxLimit}."));
        }

        if (request.Query.TryGetValue("offset", out var offsetText)
            && (!long.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > MaxOffset))
        {
            return (default, Problems.Field("offset", $"Must be an integer from 0 to {MaxOffset}."));
        }

        var page = new PageRequest(limit, offset);
        return request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ListQuery>() is { IsIncremental: true }
            ? ReadIncremental(request.Query, page)
            : (page, null);
    }

    /// <summary><c>order</c>, <c>since</c> and <c>after</c> (CONTRACT.md, "Reading lists incrementally").</summary>
    private static (PageRequest Page, ValidationProblem? Problem) ReadIncremental(IQueryCollection query, PageRequest page)
    {
        if (query.TryGetValue("order", out var order))
        {
            if (order.ToString() is not ("created_at" or "-created_at"))
            {
                return (default, Problems.Field("order", "Must be created_at (oldest first) or -created_at (newest first)."));
            }

            page = page with { NewestFirst = order == "-created_at" };
        }

        if (query.TryGetValue("since", out var sinceText))
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var since)
                || !sinceText.ToString().Contains('T', StringComparison.Ordinal))
            {
                return (default, Problems.Field("since", "Must be a time in RFC 3339, e.g. 2026-12-05T10:00:00Z."));
            }

            page = page with { Since = Timestamps.ToMicroseconds(since.UtcDateTime) };
        }

        if (query.TryGetValue("after", out var afterText))
        {
            if (!PageCursor.TryDecode(afterText, out var after))
            {
                return (default, Problems.Field("after", "Must be the cursor of a Link header's next page."));
            }

            if (page.Offset > 0)
            {
                return (default, Problems.Field("after", "Give after or offset, not both."));
            }

            page = page with { After = after };
        }

        return (page, null);
    }

    /// <summary>A list endpoint's whole work: read the page, list it, answer.</summary>
    public static async Task<Results<Ok<List<T>>, ValidationProblem>> ListAsync<TView, T>(HttpContext context, Func<PageRequest, Task<Page<TView>>> list, Func<TView, T> toResource)
        where T : notnull
    {
        var (page, problem) = Read(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        return Answer(context, page, await list(page), toResource);
    }

    /// <summary>A filtered list: the query of its filters, or the 400 that says which is malformed.</summary>
    public static async Task<Results<Ok<List<T>>, ValidationProblem>> ListAsync<TQuery, TView, T>(
        HttpContext context, (TQuery? Query, ValidationProblem? Problem) filtered, Func<TQuery, PageRequest, Task<Page<TView>>> list, Func<TView, T> toResource)
        where TQuery : class
        where T : notnull =>
        filtered is { Problem: { } problem } ? problem : await ListAsync(context, page => list(filtered.Query!, page), toResource);

    /// <summary>
    /// Answers a page: the items, <c>X-Total-Count</c> and a <c>Link</c> header. Offset pages link
    /// first, next, prev and last; a list read incrementally, unless paged by offset, links first
    /// and (when more rows follow) next by cursor, which stays right while rows are added.
    /// </summary>
    public static Ok<List<T>> Answer<TItem, T>(HttpContext context, PageRequest page, Page<TItem> result, Func<TItem, T> toResource)
        where T : notnull
    {
        var response = context.Response;
        response.Headers["X-Total-Count"] = result.Total.ToString(CultureInfo.InvariantCulture);
        if (!result.TotalExact)
        {
            // A large list's total is reused or estimated (CONTRACT.md, "Totals and overload").
            response.Headers["X-Total-Count-Exact"] = "false";
        }

        var links = new List<string> { Link(context, page.Limit, 0, "first") };
        if (context.GetEndpoint()?.Metadata.GetMetadata<ListQuery>() is { IsIncremental: true } && page.Offset == 0)
        {
            if (result.Next is { } next)
            {
                links.Add(Link(context, page.Limit, 0, "next", next.Encode()));
            }
        }
        else
        {
            if (page.Offset + page.Limit < result.Total)
            {
                links.Add(Link(context, page.Limit, page.Offset + page.Limit, "next"));
            }

            if (page.Offset > 0)
            {
                links.Add(Link(context, page.Limit, Math.Max(0, page.Offset - page.Limit), "prev previous"));
            }

            links.Add(Link(context, page.Limit, Math.Max(0, result.Total - page.Limit), "last"));
        }

        response.Headers.Link = string.Join(", ", links);
        return TypedResults.Ok(result.Items.Select(toResource).ToList());
    }

    private static string Link(HttpContext context, int limit, long offset, string rel, string? after = null)
    {
        var query = context.Request.Query
            .Where(q => q.Key is not ("limit" or "offset" or "after"))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .ToList();
        query.Add(new("limit", limit.ToString(CultureInfo.InvariantCulture)));
        if (offset > 0)
        {
            query.Add(new("offset", offset.ToString(CultureInfo.InvariantCulture)));
        }

        if (after is not null)
        {
            query.Add(new("after", after));
        }

        var url = QueryHelpers.AddQueryString(ResourceUrls.Base(context) + context.Request.Path, query);
        return $"<{url}>; rel=\"{rel}\"";
    }
}
