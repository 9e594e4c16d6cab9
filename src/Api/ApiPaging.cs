using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;

namespace CommerceManager.Api;

public sealed record PageRequest(int Limit, int Offset);

/// <summary>EP paging: <c>page[limit]</c> (default 25, clamped at 100), <c>page[offset]</c> (at most 10,000), and the links and meta of a list.</summary>
public static class ApiPaging
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;
    public const int MaxOffset = 10_000;

    public static PageRequest Read(HttpRequest request)
    {
        var limit = ReadInt(request, "page[limit]") ?? DefaultLimit;
        var offset = ReadInt(request, "page[offset]") ?? 0;
        if (limit < 1)
        {
            throw new ApiException(400, "Bad Request", "page[limit] must be at least 1.", "page[limit]");
        }
        if (offset < 0)
        {
            throw new ApiException(400, "Bad Request", "page[offset] must not be negative.", "page[offset]");
        }
        if (offset > MaxOffset)
        {
            throw new ApiException(400, "Bad Request", $"page[offset] must be at most {MaxOffset:N0}; narrow the results with a filter instead.", "page[offset]");
        }
        return new PageRequest(Math.Min(limit, MaxLimit), offset);
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

    /// <summary>The list envelope: <c>data</c>, <c>links</c> and <c>meta.page</c> / <c>meta.results</c>.</summary>
    public static object Envelope<T>(HttpRequest request, IReadOnlyList<T> items, int total, PageRequest page, object? extraMeta = null)
    {
        var pages = Math.Max(1, (int)Math.Ceiling(total / (double)page.Limit));
        var current = page.Offset / page.Limit + 1;
        var lastOffset = Math.Min((pages - 1) * page.Limit, MaxOffset);
        string Link(int offset) => PageUrl(request, page.Limit, offset);
        return new
        {
            data = items,
            links = new
            {
                current = Link(page.Offset),
                first = Link(0),
                last = Link(lastOffset),
                prev = page.Offset > 0 ? Link(Math.Max(0, page.Offset - page.Limit)) : null,
                next = page.Offset + page.Limit < total && page.Offset + page.Limit <= MaxOffset ? Link(page.Offset + page.Limit) : null,
            },
            meta = extraMeta is null
                ? (object)new { page = new { limit = page.Limit, offset = page.Offset, current, total = pages }, results = new { total } }
                : new { page = new { limit = page.Limit, offset = page.Offset, current, total = pages }, results = new { total }, display_price = extraMeta },
        };
    }

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
