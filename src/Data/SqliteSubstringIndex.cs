using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CommerceManager.Data;

/// <summary>
/// Contains and ends-with searches on SQLite from an FTS5 trigram index instead of a scan.
/// <para>
/// One contentless FTS5 table per table with contains-searched columns (<c>Customers_substrings</c> over the folded name
/// and email). Its rowids are not the table's: each row gets a <em>key</em> that sorts like its creation time
/// (<c>CreatedAt</c> in milliseconds times 2^20, plus a slot for rows created in the same millisecond), kept beside the
/// row's rowid in <c>Customers_substrings_keys</c>. FTS5 hands its matches out in rowid order for free, so "the newest 25
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
    private const int SlotBits = 20;

    private const long SlotsPerMillisecond = 1 << SlotBits;

    public static string TableFor(string table) => $"{table}_substrings";

    private static string KeysFor(string table) => $"{table}_substrings_keys";

    /// <summary>One row, one number, raised by every write the index sees: what cached counts are checked against.</summary>
    private static string VersionFor(string table) => $"{table}_substrings_version";

    /// <summary>
    /// The index of versions before creation keys (<c>Customers_search</c>, external content on the table's own rowids,
    /// and its triggers), dropped at start-up. Its new name lets an older version started on this database again (a
    /// roll-back without the backup) rebuild its own index instead of reading keys as rowids, while this one's triggers
    /// keep the new index right meanwhile.
    /// </summary>
    private static string LegacyFor(string table) => $"{table}_search";

    /// <summary>SQL dropping an index's three triggers (insert, delete, update), where they exist.</summary>
    private static string DropTriggers(string fts) =>
        $"DROP TRIGGER IF EXISTS \"{fts}_insert\"; DROP TRIGGER IF EXISTS \"{fts}_delete\"; DROP TRIGGER IF EXISTS \"{fts}_update\";";

    /// <summary>
    /// SQL for the first key of the millisecond a stored <c>CreatedAt</c> falls in. It is monotone in the time (a later
    /// creation never gets a smaller base), which is all the ordered reads rely on. Milliseconds since 2000, clamped to
    /// what fits in 64 bits beside the slots (the years 1861 to 2139).
    /// </summary>
    private static string KeyBase(string createdAt) =>
        $"(max(-4398046511104, min(4398046511103, coalesce(CAST(round((julianday({createdAt}) - 2451544.5) * 86400000.0) AS INTEGER), 0))) * {SlotsPerMillisecond})";

    /// <summary>Creates whatever is missing (FTS table, keys, triggers) for every table with contains-searched columns, and fills it.</summary>
    public static async Task EnsureAsync(AppDbContext db, CancellationToken ct)
    {
        foreach (var (table, columns) in SearchedColumns(db.Model))
        {
            var fts = TableFor(table);
            var keys = KeysFor(table);
            var version = VersionFor(table);
            var legacy = LegacyFor(table);
#pragma warning disable EF1002, EF1003 // Names from the EF model.
            await db.Database.ExecuteSqlRawAsync($"""
                {DropTriggers(legacy)}
                DROP TABLE IF EXISTS "{legacy}";
                DROP TABLE IF EXISTS "{legacy}_keys";
                DROP TABLE IF EXISTS "{legacy}_version";
                """, ct);
#pragma warning restore EF1002, EF1003
            var existing = await db.Database.SqlQueryRaw<string>(
                "SELECT name AS \"Value\" FROM sqlite_master WHERE name IN ({0}, {1}, {2}, {3}, {4}) OR (name = {5} AND sql LIKE '%content=''''%')",
                keys, version, $"{fts}_insert", $"{fts}_delete", $"{fts}_update", fts).ToListAsync(ct);
            // An index over other columns (a column was added to the search since it was built) is built again.
            var indexed = existing.Count == 6 && await db.Database.SqlQueryRaw<string>(
                "SELECT sql AS \"Value\" FROM sqlite_master WHERE name = {0} OR name = {1}", fts, $"{fts}_update").ToListAsync(ct) is var sql
                && columns.All(c => sql.Count == 2 && sql.All(s => s.Contains($"\"{c}\"", StringComparison.Ordinal)));
            if (indexed)
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
                UPDATE "{version}" SET "Version" = "Version" + 1;
                """;
            // A contentless FTS5 table forgets a row when given the row's indexed values back.
            var dropOld = $"""
                INSERT INTO "{fts}"("{fts}", rowid, {list}) SELECT 'delete', "Key", {oldValues} FROM "{keys}" WHERE "Row" = old.rowid;
                DELETE FROM "{keys}" WHERE "Row" = old.rowid;
                UPDATE "{version}" SET "Version" = "Version" + 1;
                """;
            // Names come from the EF model (table and column names), never from input. The bulk fill leaves many small
            // segments whose merging every later write would pay for (a create cost 2.5 times as much at a million rows):
            // 'optimize' merges them into one first (5 s at a million rows).
#pragma warning disable EF1002, EF1003
            await db.Database.ExecuteSqlRawAsync($"""
                {DropTriggers(fts)}
                DROP TABLE IF EXISTS "{fts}";
                DROP TABLE IF EXISTS "{keys}";
                CREATE TABLE "{keys}"("Key" INTEGER PRIMARY KEY, "Row" INTEGER NOT NULL UNIQUE);
                CREATE TABLE IF NOT EXISTS "{version}"("Version" INTEGER NOT NULL);
                INSERT INTO "{version}"("Version") SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM "{version}");
                UPDATE "{version}" SET "Version" = "Version" + 1;
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
                {DropTriggers(fts)}
                UPDATE "{VersionFor(table)}" SET "Version" = "Version" + 1;
                """, ct);
#pragma warning restore EF1002, EF1003
        }
    }

    /// <summary>The rows whose <paramref name="column"/> contains <paramref name="text"/>, from the index; null below three characters.</summary>
    public static IQueryable<T>? Source<T>(DbSet<T> set, string column, string text) where T : class =>
        Indexed(set, column, text) is { } index ? RowsMatching(set, index, null, null) : null;

    /// <summary>
    /// How many rows' <paramref name="column"/> contains <paramref name="text"/> (or, with <paramref name="endsWith"/>,
    /// ends with it), stopping at <paramref name="cap"/> when one is given; null below three characters. A contains
    /// search is counted in the index alone; an ends-with search checks each of the index's matches.
    /// </summary>
    public static async Task<int?> CountAsync<T>(AppDbContext db, DbSet<T> set, string column, string text, bool endsWith, int? cap,
        CancellationToken ct) where T : class
    {
        if (Indexed(set, column, text) is not { } index)
        {
            return null;
        }
        return await CachedCountAsync(db, set, endsWith ? "ends " + index.Phrase : index.Phrase, cap, async () => (int)(long)(await ScalarAsync(db,
            $"SELECT count(*) FROM (SELECT 1 {Matches(set, index, endsWith)} LIMIT $n)", index.Phrase, cap ?? -1, ct, text))!, ct);
    }

    /// <summary>A search's count from <see cref="Counts"/> when the index has not changed since, else counted and kept.</summary>
    private static async Task<int> CachedCountAsync<T>(AppDbContext db, DbSet<T> set, string search, int? cap, Func<Task<int>> countAsync,
        CancellationToken ct) where T : class
    {
        // The version first: a write between the two reads leaves a count stored under a version nobody reads again.
        var version = (long)(await ScalarAsync(db, $"SELECT \"Version\" FROM \"{VersionFor(set.EntityType.GetTableName()!)}\"", null, 0, ct, null))!;
        var key = (db.Database.GetConnectionString() ?? "", search, cap ?? -1);
        // Inside a transaction the version may be one that a rollback takes back: neither read nor store.
        var cacheable = db.Database.CurrentTransaction is null;
        if (cacheable && Counts.TryGetValue(key, out var known) && known.Version == version)
        {
            return known.Count;
        }
        var count = await countAsync();
        if (cacheable)
        {
            if (Counts.Count >= MaxCounts)
            {
                Counts.Clear();
            }
            Counts[key] = (version, count);
        }
        return count;
    }

    /// <summary>
    /// Counts of recent searches, each with the index version it was counted at: paging through a search (or asking
    /// again) does not count every match again until a write changes the index. Bounded: emptied when full.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Database, string Phrase, int Cap), (long Version, int Count)> Counts = new();

    private const int MaxCounts = 4096;

    /// <summary>
    /// Rows whose <paramref name="column"/> contains <paramref name="text"/>, at least the first <paramref name="count"/>
    /// of them by creation time (newest first or oldest first) and few others: the matches from the millisecond of the
    /// <paramref name="count"/>th match onwards, read in key order from the index. The caller sorts and pages them. Null
    /// below three characters.
    /// </summary>
    public static IQueryable<T>? FirstCreated<T>(DbSet<T> set, string column, string text, bool endsWith, int count, bool newestFirst)
        where T : class
    {
        if (Indexed(set, column, text) is not { } index)
        {
            return null;
        }
        return RowsMatching(set, index, CreationRange(index, newestFirst, endsWith, set), count - 1, endsWith ? text : null);
    }

    /// <summary>
    /// <see cref="FirstCreated"/>'s page as one SQL statement a caller can keep prepared: <paramref name="select"/> (a column
    /// list) of the rows whose <paramref name="column"/> contains (ends with) the text, in creation order, from parameters
    /// <c>$phrase</c> (the returned phrase), <c>$text</c> (the folded text), <c>$n</c> (offset + limit − 1), <c>$limit</c>
    /// and <c>$offset</c>. The SQL depends only on the table, column, kind and order, so a handful of statements serve
    /// every search. Null below three characters.
    /// </summary>
    public static (string Sql, string Phrase)? FirstCreatedPage<T>(DbSet<T> set, string column, string text, bool endsWith, bool newestFirst,
        string select) where T : class
    {
        if (Indexed(set, column, text) is not { } index)
        {
            return null;
        }
        var (fts, keys, phrase) = index;
        var exact = endsWith ? $"substr(\"{column}\", -length($text)) = $text" : $"instr(\"{column}\", $text) > 0";
        var order = newestFirst ? "DESC" : "ASC";
        var range = CreationRange(index, newestFirst, endsWith, set, "$phrase", "$n", "$text");
        return ($"SELECT {select} FROM \"{set.EntityType.GetTableName()}\" WHERE rowid IN " +
            $"(SELECT \"Row\" FROM \"{keys}\" WHERE \"Key\" IN (SELECT rowid FROM \"{fts}\" WHERE \"{fts}\" MATCH $phrase AND {range})) " +
            $"AND {exact} ORDER BY \"CreatedAt\" {order}, \"Id\" {order} LIMIT $limit OFFSET $offset", phrase);
    }

    /// <summary>
    /// SQL on the index's rowid for the keys from the millisecond of the ({1} + 1)th match onwards, in that order, found
    /// in the same statement. Every row among the first that many has a key in that key's millisecond or beyond it: a
    /// row from an earlier (later) millisecond was created before (after) all the rows up to that one. With fewer
    /// matches, all of them.
    /// </summary>
    private static string CreationRange<T>((string Fts, string Keys, string Phrase) index, bool newestFirst, bool endsWith, DbSet<T> set,
        string phrase = "{0}", string n = "{1}", string text = "{2}")
        where T : class
    {
        // (The rowid is qualified only where the join needs it: the plain form is the one measured fastest.)
        var rowid = endsWith ? $"\"{index.Fts}\".rowid" : "rowid";
        var nth = $"(SELECT {rowid} {Matches(set, index, endsWith, phrase, text)} ORDER BY {rowid} {(newestFirst ? "DESC" : "ASC")} LIMIT 1 OFFSET {n})";
        return newestFirst
            ? $"rowid >= coalesce({nth} >> {SlotBits} << {SlotBits}, {long.MinValue})"
            : $"rowid <= coalesce(({nth} >> {SlotBits} << {SlotBits}) + {SlotsPerMillisecond - 1}, {long.MaxValue})";
    }

    /// <summary>
    /// One value from a small query on the context's connection, as plain ADO.NET: these run on every search, and EF's
    /// raw-SQL queries would add their translation and cache lookup to a query that takes a millisecond.
    /// </summary>
    private static async Task<object?> ScalarAsync(AppDbContext db, string sql, string? phrase, long number, CancellationToken ct, string? text)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct);
        }
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (phrase is not null)
            {
                var p = command.CreateParameter();
                p.ParameterName = "$phrase";
                p.Value = phrase;
                command.Parameters.Add(p);
                var n = command.CreateParameter();
                n.ParameterName = "$n";
                n.Value = number;
                command.Parameters.Add(n);
                var t = command.CreateParameter();
                t.ParameterName = "$text";
                t.Value = text ?? "";
                command.Parameters.Add(t);
            }
            return await command.ExecuteScalarAsync(ct);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    /// <summary>
    /// Rows where any column contains its text (one FTS5 query, its phrases joined by OR) or where
    /// <paramref name="equalsColumn"/> equals a value (its own index); null when a text is under three characters.
    /// </summary>
    public static IQueryable<T>? SourceAny<T>(DbSet<T> set, IReadOnlyList<(string Column, string Text)> any, string equalsColumn, string equalsValue)
        where T : class =>
        IndexedAny(set, any) is { } index && set.EntityType.FindProperty(equalsColumn) is { } equals
            ? RowsMatching(set, index, null, null, null, (equals.GetColumnName(), equalsValue))
            : null;

    /// <summary>
    /// <see cref="SourceAny"/> for a page in creation order: the index's matches from the millisecond of the
    /// <paramref name="count"/>th one onwards (as <see cref="FirstCreated"/>), and every row whose
    /// <paramref name="equalsColumn"/> equals the value wherever it falls. The caller sorts and pages them.
    /// </summary>
    public static IQueryable<T>? FirstCreatedAny<T>(DbSet<T> set, IReadOnlyList<(string Column, string Text)> any, string equalsColumn,
        string equalsValue, int count, bool newestFirst) where T : class
    {
        if (IndexedAny(set, any) is not { } index || set.EntityType.FindProperty(equalsColumn) is not { } equals)
        {
            return null;
        }
        return RowsMatching(set, index, CreationRange(index, newestFirst, endsWith: false, set), count - 1, null, (equals.GetColumnName(), equalsValue));
    }

    /// <summary>
    /// How many rows <see cref="SourceAny"/> gives: the index's matches (stopping at <paramref name="cap"/>) and the rows
    /// whose <paramref name="equalsColumn"/> equals the value that the index does not match. Kept per index version.
    /// </summary>
    public static async Task<int?> CountAnyAsync<T>(AppDbContext db, DbSet<T> set, IReadOnlyList<(string Column, string Text)> any,
        string equalsColumn, string equalsValue, int? cap, CancellationToken ct) where T : class
    {
        if (IndexedAny(set, any) is not { } index || set.EntityType.FindProperty(equalsColumn) is not { } equals)
        {
            return null;
        }
        return await CachedCountAsync(db, set, $"any {index.Phrase} or {equalsValue}", cap, async () =>
        {
            var (fts, keys, phrase) = index;
            var matched = (long)(await ScalarAsync(db, $"SELECT count(*) FROM (SELECT 1 FROM \"{fts}\" WHERE \"{fts}\" MATCH $phrase LIMIT $n)",
                phrase, cap ?? -1, ct, null))!;
            var besides = (long)(await ScalarAsync(db,
                $"SELECT count(*) FROM \"{set.EntityType.GetTableName()}\" AS t JOIN \"{keys}\" AS k ON k.\"Row\" = t.rowid " +
                $"WHERE t.\"{equals.GetColumnName()}\" = $text AND NOT EXISTS (SELECT 1 FROM \"{fts}\" WHERE \"{fts}\" MATCH $phrase AND \"{fts}\".rowid = k.\"Key\")",
                phrase, 0, ct, equalsValue))!;
            return (int)Math.Min(matched + besides, cap ?? int.MaxValue);
        }, ct);
    }

    /// <summary>The index's table, the keys table and the FTS5 query for a contains search; null when the index cannot serve it.</summary>
    /// <summary>The same for several columns, each with its text, any of which may match (the phrases joined by OR).</summary>
    private static (string Fts, string Keys, string Phrase)? IndexedAny<T>(DbSet<T> set, IReadOnlyList<(string Column, string Text)> any)
        where T : class
    {
        var parts = any.Select(a => Indexed(set, a.Column, a.Text)).ToList();
        return parts.Count == 0 || parts.Any(p => p is null) ? null
            : (parts[0]!.Value.Fts, parts[0]!.Value.Keys, string.Join(" OR ", parts.Select(p => p!.Value.Phrase)));
    }

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

    /// <summary>
    /// <c>FROM … WHERE …</c> for the index's matches of a phrase (its rowids are the keys), and with
    /// <paramref name="endsWith"/> only those whose column ends with the text: each match's row is looked up and checked.
    /// </summary>
    private static string Matches<T>(DbSet<T> set, (string Fts, string Keys, string Phrase) index, bool endsWith,
        string phrase = "$phrase", string text = "$text") where T : class
    {
        var (fts, keys, _) = index;
        if (!endsWith)
        {
            return $"FROM \"{fts}\" WHERE \"{fts}\" MATCH {phrase}";
        }
        var column = index.Phrase[1..index.Phrase.IndexOf('}')];
        return $"FROM \"{fts}\" JOIN \"{keys}\" AS k ON k.\"Key\" = \"{fts}\".rowid JOIN \"{set.EntityType.GetTableName()}\" AS t ON t.rowid = k.\"Row\" " +
            $"WHERE \"{fts}\" MATCH {phrase} AND substr(t.\"{column}\", -length({text})) = {text}";
    }

    /// <summary>The table's rows the index matches, optionally only those whose keys meet <paramref name="range"/> (SQL on <c>rowid</c> with <c>{1}</c>).</summary>
    private static IQueryable<T> RowsMatching<T>(DbSet<T> set, (string Fts, string Keys, string Phrase) index, string? range, long? argument,
        string? text = null, (string Column, string Value)? orEquals = null) where T : class
    {
        var (fts, keys, phrase) = index;
        List<object> arguments = range is null ? [phrase] : text is null ? [phrase, argument!.Value] : [phrase, argument!.Value, text];
        var equals = "";
        if (orEquals is var (column, value))
        {
            equals = $" OR \"{column}\" = {{{arguments.Count}}}";
            arguments.Add(value);
        }
#pragma warning disable EF1002, EF1003 // Table and column names from the model, the range from this class; the values are parameters.
        return set.FromSqlRaw(
            $"SELECT * FROM \"{set.EntityType.GetTableName()}\" WHERE rowid IN " +
            $"(SELECT \"Row\" FROM \"{keys}\" WHERE \"Key\" IN (SELECT rowid FROM \"{fts}\" WHERE \"{fts}\" MATCH {{0}}{(range is null ? "" : " AND " + range)})){equals}",
            arguments.ToArray());
#pragma warning restore EF1002, EF1003
    }

    private static IEnumerable<(string Table, List<string> Columns)> SearchedColumns(IModel model) =>
        model.GetEntityTypes()
            .Where(e => !e.IsOwned() && e.GetTableName() is not null)
            .Select(e => (Table: e.GetTableName()!, Columns: e.GetProperties()
                .Where(p => p.FindAnnotation(StorageHints.ContainsSearch) is not null).Select(p => p.GetColumnName()).ToList()))
            .Where(x => x.Columns.Count > 0);
}
