using System.Globalization;
using CommerceManager.Querying;
using Microsoft.AspNetCore.Http.Extensions;

namespace CommerceManager.Api.Wire;

/// <summary>An EP list: <c>data</c>, <c>links</c> and <c>meta.page</c> / <c>meta.results</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Data, PageLinks Links, ListMeta Meta);

public sealed record PageLinks(string Current, string First, string? Last, string? Prev, string? Next);

public sealed record ListMeta(PageMeta Page, ResultsMeta Results);

public sealed record PageMeta(int Limit, int Offset, int Current, int Total);

public sealed record ResultsMeta(int Total);

/// <summary>EP paging: reads <c>page[limit]</c> and <c>page[offset]</c>, and writes a list's links and meta.</summary>
public static class ApiPaging
{
    public static PageRequest Read(HttpRequest request)
    {
        var limit = ReadInt(request, "page[limit]") ?? PageRequest.DefaultLimit;
        var offset = ReadInt(request, "page[offset]") ?? 0;
        if (limit < 1)
        {
            throw new ApiException(400, "Bad Request", "page[limit] must be at least 1.", "page[limit]");
        }
        if (offset < 0)
        {
            throw new ApiException(400, "Bad Request", "page[offset] must not be negative.", "page[offset]");
        }
        if (offset > PageRequest.MaxOffset)
        {
            throw new ApiException(400, "Bad Request", $"page[offset] must be at most {PageRequest.MaxOffset:N0}; narrow the results with a filter instead.", "page[offset]");
        }
        return new PageRequest(offset, Math.Min(limit, PageRequest.MaxLimit));
    }

    private static int? ReadInt(HttpRequest request, string name)
    {
        var raw = request.Query[name].ToString();
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }
        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new ApiException(400, "Bad Request", $"{name} must be a whole number.", name);
        }
        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }

    /// <summary>A page of <paramref name="items"/> out of <paramref name="total"/>, with links that keep the request's filter and sort.</summary>
    public static ListResponse<T> List<T>(HttpRequest request, IReadOnlyList<T> items, int total, PageRequest page)
    {
        var pages = Math.Max(1, (int)Math.Ceiling(total / (double)page.Limit));
        var current = page.Offset / page.Limit + 1;
        var lastOffset = Math.Min((pages - 1) * page.Limit, PageRequest.MaxOffset);
        string Link(int offset) => PageUrl(request, page.Limit, offset);
        return new ListResponse<T>(items,
            new PageLinks(
                Current: Link(page.Offset),
                First: Link(0),
                Last: pages > 1 ? Link(lastOffset) : null,
                Prev: page.Offset > 0 ? Link(Math.Max(0, page.Offset - page.Limit)) : null,
                Next: page.Offset + page.Limit < total && page.Offset + page.Limit <= PageRequest.MaxOffset ? Link(page.Offset + page.Limit) : null),
            new ListMeta(new PageMeta(page.Limit, page.Offset, current, pages), new ResultsMeta(total)));
    }

    /// <summary>A whole collection on one page (flows, fields, profiles).</summary>
    public static ListResponse<T> All<T>(HttpRequest request, IReadOnlyList<T> items) =>
        List(request, items, items.Count, new PageRequest(0, Math.Max(1, items.Count)));

    private static string PageUrl(HttpRequest request, int limit, int offset)
    {
        var query = request.Query
            .Where(q => q.Key is not ("page[limit]" or "page[offset]"))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new("page[offset]", offset.ToString(CultureInfo.InvariantCulture)))
            .Append(new("page[limit]", limit.ToString(CultureInfo.InvariantCulture)));
        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, QueryString.Create(query));
    }
}
