using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CommerceManager.Data;

/// <summary>
/// Contains and ends-with searches on SQLite from an FTS5 trigram index instead of a scan.
/// <para>
/// One contentless FTS5 table per table with contains-searched columns (<c>Customers_search</c> over the folded name
/// and email). Its rowids are not the table's: each row gets a <em>key</em> that sorts like its creation time
/// (<c>CreatedAt</c> in milliseconds times 2^20, plus a slot for rows created in the same millisecond), kept beside the
/// row's rowid in <c>Customers_search_keys</c>. FTS5 hands its matches out in rowid order for free, so "the newest 25
/// customers whose name contains olli" reads about 25 keys from the index instead of looking up and sorting every match.
/// </para>
/// <para>
/// Triggers keep both tables in step on every write (console, API, seed, import, delete); start-up re-creates and
/// refills them when a migration's table rebuild or a bulk load dropped them. A search phrase is matched literally
/// (<c>%</c> and <c>_</c> are ordinary characters); a text shorter than three characters has no trigram, so it falls
/// back to the plain scan.
/// </para>
/// </summary>
public static class SqliteSubstringIndex
{
    public const int MinLength = 3;

    /// <summary>Slots per millisecond of creation time in a key: more rows than this created in one millisecond is not supported.</summary>
    private const long SlotsPerMillisecond = 1 << 20;

    public static string TableFor(string table) => $"{table}_search";

    private static string KeysFor(string table) => $"{table}_search_keys";

    /// <summary>
    /// SQL for the first key of the millisecond a stored <c>CreatedAt</c> falls in. It is monotone in the time (a later
    /// creation never gets a smaller base), which is all the ordered reads rely on. Milliseconds since 2000, clamped to
    /// what fits in 64 bits beside the slots (the years 1861 to 2139).
    /// </summary>
    private static string KeyBase(string createdAt) =>
        $"(max(-4398046511104, min(4398046511103, coalesce(CAST(round((julianday({createdAt}) - 2451544.5) * 86400000.0) AS INTEGER), 0))) * {SlotsPerMillisecond})";

    /// <summary>The first key of the millisecond <paramref name="key"/> is in (floor division, also below zero).</summary>
    private static long MillisecondStart(long key) => key >> 20 << 20;

    /// <summary>Creates whatever is missing (FTS table, keys, triggers) for every table with contains-searched columns, and fills it.</summary>
    public static async Task EnsureAsync(AppDbContext db, CancellationToken ct)
    {
        foreach (var (table, columns) in SearchedColumns(db.Model))
        {
            var fts = TableFor(table);
            var keys = KeysFor(table);
            // The index of earlier versions (external content, on the table's own rowids) counts as missing.
            var existing = await db.Database.SqlQueryRaw<string>(
                "SELECT name AS \"Value\" FROM sqlite_master WHERE name IN ({0}, {1}, {2}, {3}) OR (name = {4} AND sql LIKE '%content=''''%')",
                keys, $"{fts}_insert", $"{fts}_delete", $"{fts}_update", fts).ToListAsync(ct);
            if (existing.Count == 5)
            {
                await SecureDeleteAsync(db, fts, ct);
                continue;
            }
            var list = string.Join(", ", columns.Select(c => $"\"{c}\""));
            var values = string.Join(", ", columns.Select(c => $"t.\"{c}\""));
            var newValues = string.Join(", ", columns.Select(c => $"new.\"{c}\""));
            var oldValues = string.Join(", ", columns.Select(c => $"old.\"{c}\""));
            var updateOf = string.Join(", ", columns.Append("CreatedAt").Select(c => $"\"{c}\""));
            // A new row takes the next free slot of its creation millisecond.
            var addNew = $"""
                INSERT INTO "{keys}"("Key", "Row")
                    SELECT coalesce((SELECT max("Key") + 1 FROM "{keys}" WHERE "Key" BETWEEN b AND b + {SlotsPerMillisecond - 1}), b), new.rowid
                    FROM (SELECT {KeyBase("new.\"CreatedAt\"")} AS b);
                INSERT INTO "{fts}"(rowid, {list}) SELECT "Key", {newValues} FROM "{keys}" WHERE "Row" = new.rowid;
                """;
            // A contentless FTS5 table forgets a row when given the row's indexed values back.
            var dropOld = $"""
                INSERT INTO "{fts}"("{fts}", rowid, {list}) SELECT 'delete', "Key", {oldValues} FROM "{keys}" WHERE "Row" = old.rowid;
                DELETE FROM "{keys}" WHERE "Row" = old.rowid;
                """;
            // Names come from the EF model (table and column names), never from input. The bulk fill leaves many small
            // segments whose merging every later write would pay for (a create cost 2.5 times as much at a million rows):
            // 'optimize' merges them into one first (5 s at a million rows).
#pragma warning disable EF1002, EF1003
            await db.Database.ExecuteSqlRawAsync($"""
                DROP TRIGGER IF EXISTS "{fts}_insert";
                DROP TRIGGER IF EXISTS "{fts}_delete";
                DROP TRIGGER IF EXISTS "{fts}_update";
                DROP TABLE IF EXISTS "{fts}";
                DROP TABLE IF EXISTS "{keys}";
                CREATE TABLE "{keys}"("Key" INTEGER PRIMARY KEY, "Row" INTEGER NOT NULL UNIQUE);
                CREATE VIRTUAL TABLE "{fts}" USING fts5({list}, content='', tokenize='trigram');
                INSERT INTO "{keys}"("Key", "Row")
                    SELECT b + row_number() OVER (PARTITION BY b ORDER BY rowid) - 1, rowid
                    FROM (SELECT {KeyBase("\"CreatedAt\"")} AS b, rowid FROM "{table}");
                INSERT INTO "{fts}"(rowid, {list})
                    SELECT k."Key", {values} FROM "{keys}" AS k JOIN "{table}" AS t ON t.rowid = k."Row" ORDER BY k."Key";
                INSERT INTO "{fts}"("{fts}") VALUES ('optimize');
                CREATE TRIGGER "{fts}_insert" AFTER INSERT ON "{table}" BEGIN
                {addNew}
                END;
                CREATE TRIGGER "{fts}_delete" AFTER DELETE ON "{table}" BEGIN
                {dropOld}
                END;
                CREATE TRIGGER "{fts}_update" AFTER UPDATE OF {updateOf} ON "{table}" BEGIN
                {dropOld}
                {addNew}
                END;
                """, ct);
#pragma warning restore EF1002, EF1003
            await SecureDeleteAsync(db, fts, ct);
        }
    }

    /// <summary>
    /// FTS5's own secure delete: a deleted row's trigrams leave the index at once instead of staying behind a
    /// tombstone until a merge, so an erased name or email cannot be pieced together from the index.
    /// </summary>
    private static async Task SecureDeleteAsync(AppDbContext db, string fts, CancellationToken ct)
    {
#pragma warning disable EF1002, EF1003 // The name comes from the EF model.
        await db.Database.ExecuteSqlRawAsync($"INSERT INTO \"{fts}\"(\"{fts}\", rank) VALUES ('secure-delete', 1);", ct);
#pragma warning restore EF1002, EF1003
    }

    /// <summary>
    /// Stops keeping the index in step, for a bulk load: row-by-row trigram inserts slow a million-row load down more
    /// and more as the index grows. <see cref="EnsureAsync"/> (run at every start-up) puts the triggers back and
    /// rebuilds the index from the table in one pass, so a load that stops half-way leaves nothing out of step.
    /// </summary>
    public static async Task PauseAsync(AppDbContext db, CancellationToken ct)
    {
        foreach (var (table, _) in SearchedColumns(db.Model))
        {
            var fts = TableFor(table);
#pragma warning disable EF1002, EF1003 // Names from the EF model.
            await db.Database.ExecuteSqlRawAsync($"""
                DROP TRIGGER IF EXISTS "{fts}_insert";
                DROP TRIGGER IF EXISTS "{fts}_delete";
                DROP TRIGGER IF EXISTS "{fts}_update";
                """, ct);
#pragma warning restore EF1002, EF1003
        }
    }

    /// <summary>The rows whose <paramref name="column"/> contains <paramref name="text"/>, from the index; null below three characters.</summary>
    public static IQueryable<T>? Source<T>(DbSet<T> set, string column, string text) where T : class =>
        Indexed(set, column, text) is { } index ? RowsMatching(set, index, null, null) : null;

    /// <summary>
    /// How many rows' <paramref name="column"/> contains <paramref name="text"/>, counted in the index alone, stopping at
    /// <paramref name="cap"/> when one is given; null below three characters.
    /// </summary>
    public static async Task<int?> CountAsync<T>(AppDbContext db, DbSet<T> set, string column, string text, int? cap, CancellationToken ct)
        where T : class
    {
        if (Indexed(set, column, text) is not { } index)
        {
            return null;
        }
        var (fts, _, phrase) = index;
#pragma warning disable EF1002 // The table name from the model; the phrase and the cap are parameters.
        return (await db.Database.SqlQueryRaw<int>(
            $"SELECT count(*) AS \"Value\" FROM (SELECT 1 FROM \"{fts}\" WHERE \"{fts}\" MATCH {{0}} LIMIT {{1}})", phrase, cap ?? -1)
            .ToListAsync(ct))[0];
#pragma warning restore EF1002
    }

    /// <summary>
    /// Rows whose <paramref name="column"/> contains <paramref name="text"/>, at least the first <paramref name="count"/>
    /// of them by creation time (newest first or oldest first) and few others: the matches from the millisecond of the
    /// <paramref name="count"/>th match onwards, read in key order from the index. The caller sorts and pages them. Null
    /// below three characters.
    /// </summary>
    public static async Task<IQueryable<T>?> FirstCreatedAsync<T>(AppDbContext db, DbSet<T> set, string column, string text, int count,
        bool newestFirst, CancellationToken ct) where T : class
    {
        if (Indexed(set, column, text) is not { } index)
        {
            return null;
        }
        var (fts, _, phrase) = index;
        // The key of the count-th match in that order. Every row among the first count has a key in its millisecond or
        // beyond: a row from an earlier (later) millisecond was created before (after) all of the count rows up to it.
#pragma warning disable EF1002 // The table name from the model; the phrase and the offset are parameters.
        var nth = await db.Database.SqlQueryRaw<long>(
            $"SELECT rowid AS \"Value\" FROM \"{fts}\" WHERE \"{fts}\" MATCH {{0}} ORDER BY rowid {(newestFirst ? "DESC" : "ASC")} LIMIT 1 OFFSET {{1}}",
            phrase, count - 1).ToListAsync(ct);
#pragma warning restore EF1002
        if (nth.Count == 0)
        {
            return RowsMatching(set, index, null, null); // fewer matches than that: all of them
        }
        var start = MillisecondStart(nth[0]);
        return newestFirst ? RowsMatching(set, index, ">=", start) : RowsMatching(set, index, "<=", start + SlotsPerMillisecond - 1);
    }

    /// <summary>
    /// Rows where any column contains its text (one FTS5 query, its phrases joined by OR) or where
    /// <paramref name="equalsColumn"/> equals a value (its own index); null when a text is under three characters.
    /// </summary>
    public static IQueryable<T>? SourceAny<T>(DbSet<T> set, IReadOnlyList<(string Column, string Text)> any, string equalsColumn, string equalsValue)
        where T : class
    {
        var entity = set.EntityType;
        var table = entity.GetTableName();
        if (table is null || any.Count == 0 || any.Any(a => a.Text.Length < MinLength
                || entity.FindProperty(a.Column)?.FindAnnotation(StorageHints.ContainsSearch) is null)
            || entity.FindProperty(equalsColumn) is not { } equalsProperty)
        {
            return null;
        }
        var fts = TableFor(table);
        var match = string.Join(" OR ", any.Select(a => Phrase(entity.FindProperty(a.Column)!, a.Text)));
#pragma warning disable EF1002, EF1003 // Table and column names from the model; the texts are parameters.
        return set.FromSqlRaw($"SELECT * FROM \"{table}\" WHERE rowid IN (SELECT \"Row\" FROM \"{KeysFor(table)}\" WHERE \"Key\" IN " +
            $"(SELECT rowid FROM \"{fts}\" WHERE \"{fts}\" MATCH {{0}})) OR \"{equalsProperty.GetColumnName()}\" = {{1}}", match, equalsValue);
#pragma warning restore EF1002, EF1003
    }

    /// <summary>The index's table, the keys table and the FTS5 query for a contains search; null when the index cannot serve it.</summary>
    private static (string Fts, string Keys, string Phrase)? Indexed<T>(DbSet<T> set, string column, string text) where T : class
    {
        var entity = set.EntityType;
        var table = entity.GetTableName();
        if (text.Length < MinLength || table is null
            || entity.FindProperty(column) is not { } property || property.FindAnnotation(StorageHints.ContainsSearch) is null)
        {
            return null;
        }
        return (TableFor(table), KeysFor(table), Phrase(property, text));
    }

    /// <summary>
    /// An FTS5 phrase in double quotes is matched literally (a quote inside is doubled); the column filter keeps the match
    /// to that column.
    /// </summary>
    private static string Phrase(IProperty property, string text) =>
        "{" + property.GetColumnName() + "} : \"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The table's rows the index matches, optionally only those whose keys are on one side of <paramref name="bound"/>.</summary>
    private static IQueryable<T> RowsMatching<T>(DbSet<T> set, (string Fts, string Keys, string Phrase) index, string? op, long? bound)
        where T : class
    {
        var (fts, keys, phrase) = index;
        var range = op is null ? "" : $" AND rowid {op} {{1}}";
#pragma warning disable EF1002, EF1003 // Table names from the model, the operator from this class; the phrase and the bound are parameters.
        return set.FromSqlRaw(
            $"SELECT * FROM \"{set.EntityType.GetTableName()}\" WHERE rowid IN " +
            $"(SELECT \"Row\" FROM \"{keys}\" WHERE \"Key\" IN (SELECT rowid FROM \"{fts}\" WHERE \"{fts}\" MATCH {{0}}{range}))",
            op is null ? [phrase] : [phrase, bound!.Value]);
#pragma warning restore EF1002, EF1003
    }

    private static IEnumerable<(string Table, List<string> Columns)> SearchedColumns(IModel model) =>
        model.GetEntityTypes()
            .Where(e => !e.IsOwned() && e.GetTableName() is not null)
            .Select(e => (Table: e.GetTableName()!, Columns: e.GetProperties()
                .Where(p => p.FindAnnotation(StorageHints.ContainsSearch) is not null).Select(p => p.GetColumnName()).ToList()))
            .Where(x => x.Columns.Count > 0);
}
