using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Querying;

/// <summary>
/// Which rows of a list to read: the one set of paging limits the console and the API share (EP's: 25 by default,
/// at most 100 a page, offsets up to 10,000).
/// </summary>
public sealed record PageRequest(int Offset = 0, int Limit = PageRequest.DefaultLimit)
{
    public const int DefaultLimit = 25;
    public const int MaxLimit = 100;
    /// <summary>Deeper pages would walk an index ever further: narrow the filter instead.</summary>
    public const int MaxOffset = 10_000;

    /// <summary>The limit clamped to 1…<see cref="MaxLimit"/> and the offset to 0 or more; an offset past the deepest page is refused.</summary>
    public PageRequest Checked()
    {
        if (Offset > MaxOffset)
        {
            throw new FilterException($"page[offset] may be at most {MaxOffset:N0}; narrow the filter instead.");
        }
        return new PageRequest(Math.Max(0, Offset), Math.Clamp(Limit, 1, MaxLimit));
    }
}

/// <summary>
/// A page of results with the total the filter matched. When <see cref="TotalIsCapped"/>, the filter matched at
/// least <see cref="Total"/> (the console counts no further than it can page).
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit, bool TotalIsCapped = false)
{
    /// <summary>The total as a number to show: "10,100+" when capped.</summary>
    public string TotalNumber => TotalIsCapped ? $"{Total - 1:N0}+" : $"{Total:N0}";

    /// <summary>"26–50 of 1,234": the rows on this page.</summary>
    public string RangeText => $"{Offset + 1:N0}–{Offset + Items.Count:N0} of {TotalNumber}";

    public string TotalText(string one, string many) => !TotalIsCapped && Total == 1 ? $"1 {one}" : $"{TotalNumber} {many}";
}

public static class Counting
{
    /// <summary>Counting stops here when an exact total is not asked for: past the deepest page there is nothing to show.</summary>
    public const int Cap = PageRequest.MaxOffset + PageRequest.MaxLimit + 1;

    /// <summary>The exact count, or (when <paramref name="exact"/> is false) a count that stops at <see cref="Cap"/>.</summary>
    public static async Task<(int Total, bool Capped)> CountAsync<T>(IQueryable<T> query, bool exact, CancellationToken ct)
    {
        if (exact)
        {
            return (await query.CountAsync(ct), false);
        }
        var total = await query.Take(Cap).CountAsync(ct);
        return (total, total == Cap);
    }
}
