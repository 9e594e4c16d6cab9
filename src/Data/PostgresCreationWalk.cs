using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Data;

/// <summary>
/// PostgreSQL's way to read a contains search's first matches in creation order: the twin of
/// <see cref="SqliteSubstringIndex"/>'s creation-ordered reads, for any entity with a contains-searched column and a
/// (CreatedAt, Id) index. See docs/decisions/0004-fts5-creation-ordered-index.md.
/// </summary>
public static class PostgresCreationWalk
{
    /// <summary>
    /// A walk down the (CreatedAt, Id) index that tests each row's text and stops at the <paramref name="count"/>th match
    /// (the subquery's own LIMIT bounds it at <paramref name="window"/> rows). The trigram index finds every match but in
    /// no useful order: a common text ("auer", one customer in a few hundred) would be counted, fetched and sorted in full
    /// for a page of 25, where this walk reads a few thousand index entries. The caller picks the window from the
    /// match count it knows, and falls back to the trigram index when the window would be too wide (rare texts).
    /// </summary>
    public static IQueryable<T> Rows<T>(DbSet<T> set, string column, string text, bool endsWith, int window, int count, bool newestFirst)
        where T : class
    {
        var table = set.EntityType.GetTableName();
        var order = newestFirst ? "DESC" : "ASC";
        // strpos and right() rather than LIKE: the text needs no escaping of % and _, and the caller applies its own
        // exact LIKE test on top.
        var test = endsWith ? $"right(w.\"{column}\", length({{1}})) = {{1}}" : $"strpos(w.\"{column}\", {{1}}) > 0";
        // The table and column are names from the EF model; the window, the text and the count are parameters.
#pragma warning disable EF1002, EF1003
        return set.FromSqlRaw(
            $"SELECT * FROM \"{table}\" WHERE \"Id\" IN (SELECT w.\"Id\" FROM " +
            $"(SELECT \"Id\", \"CreatedAt\", \"{column}\" FROM \"{table}\" ORDER BY \"CreatedAt\" {order}, \"Id\" {order} LIMIT {{0}}) w " +
            $"WHERE {test} ORDER BY w.\"CreatedAt\" {order}, w.\"Id\" {order} LIMIT {{2}})",
            window, text, count);
#pragma warning restore EF1002, EF1003
    }
}
