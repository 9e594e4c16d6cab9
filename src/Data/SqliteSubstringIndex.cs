using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CommerceManager.Data;

/// <summary>
/// Contains and ends-with searches on SQLite from an FTS5 trigram index instead of a scan: one external-content FTS5
/// table per table with contains-searched columns (<c>Customers_search</c> over the folded name and email), kept in
/// step by triggers on every write (console, API, seed, import, delete), and re-created and rebuilt at start-up if a
/// migration's table rebuild dropped them. A search phrase is matched literally (<c>%</c> and <c>_</c> are ordinary
/// characters); a text shorter than three characters has no trigram, so it falls back to the plain scan.
/// </summary>
public static class SqliteSubstringIndex
{
    public const int MinLength = 3;

    public static string TableFor(string table) => $"{table}_search";

    /// <summary>Creates whatever is missing (FTS table, triggers) for every table with contains-searched columns; rebuilds after.</summary>
    public static async Task EnsureAsync(AppDbContext db, CancellationToken ct)
    {
        foreach (var (table, columns) in SearchedColumns(db.Model))
        {
            var fts = TableFor(table);
            var existing = await db.Database.SqlQueryRaw<string>(
                "SELECT name AS \"Value\" FROM sqlite_master WHERE name IN ({0}, {1}, {2}, {3})",
                fts, $"{fts}_insert", $"{fts}_delete", $"{fts}_update").ToListAsync(ct);
            if (existing.Count == 4)
            {
                await SecureDeleteAsync(db, fts, ct);
                continue;
            }
            var list = string.Join(", ", columns.Select(c => $"\"{c}\""));
            var newValues = string.Join(", ", columns.Select(c => $"new.\"{c}\""));
            var oldValues = string.Join(", ", columns.Select(c => $"old.\"{c}\""));
            var updateOf = string.Join(", ", columns.Select(c => $"\"{c}\""));
            // Names come from the EF model (table and column names), never from input.
#pragma warning disable EF1002, EF1003
            await db.Database.ExecuteSqlRawAsync($"""
                CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5({list}, content='{table}', content_rowid='rowid', tokenize='trigram');
                DROP TRIGGER IF EXISTS "{fts}_insert";
                DROP TRIGGER IF EXISTS "{fts}_delete";
                DROP TRIGGER IF EXISTS "{fts}_update";
                CREATE TRIGGER "{fts}_insert" AFTER INSERT ON "{table}" BEGIN
                    INSERT INTO "{fts}"(rowid, {list}) VALUES (new.rowid, {newValues});
                END;
                CREATE TRIGGER "{fts}_delete" AFTER DELETE ON "{table}" BEGIN
                    INSERT INTO "{fts}"("{fts}", rowid, {list}) VALUES ('delete', old.rowid, {oldValues});
                END;
                CREATE TRIGGER "{fts}_update" AFTER UPDATE OF {updateOf} ON "{table}" BEGIN
                    INSERT INTO "{fts}"("{fts}", rowid, {list}) VALUES ('delete', old.rowid, {oldValues});
                    INSERT INTO "{fts}"(rowid, {list}) VALUES (new.rowid, {newValues});
                END;
                INSERT INTO "{fts}"("{fts}") VALUES ('rebuild');
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
    public static IQueryable<T>? Source<T>(DbSet<T> set, string column, string text) where T : class
    {
        var entity = set.EntityType;
        var table = entity.GetTableName();
        if (text.Length < MinLength || table is null
            || entity.FindProperty(column) is not { } property || property.FindAnnotation(StorageHints.ContainsSearch) is null)
        {
            return null;
        }
        var fts = TableFor(table);
        // An FTS5 phrase in double quotes is matched literally; a quote inside is doubled. The column filter keeps the
        // match to that column.
        var phrase = "{" + property.GetColumnName() + "} : \"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
#pragma warning disable EF1002 // Table names from the model; the phrase is a parameter.
        return set.FromSqlRaw($"SELECT * FROM \"{table}\" WHERE rowid IN (SELECT rowid FROM \"{fts}\" WHERE \"{fts}\" MATCH {{0}})", phrase);
#pragma warning restore EF1002
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
        var match = string.Join(" OR ", any.Select(a =>
            "{" + entity.FindProperty(a.Column)!.GetColumnName() + "} : \"" + a.Text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
#pragma warning disable EF1002, EF1003 // Table and column names from the model; the texts are parameters.
        return set.FromSqlRaw($"SELECT * FROM \"{table}\" WHERE rowid IN (SELECT rowid FROM \"{fts}\" WHERE \"{fts}\" MATCH {{0}}) " +
            $"OR \"{equalsProperty.GetColumnName()}\" = {{1}}", match, equalsValue);
#pragma warning restore EF1002, EF1003
    }

    private static IEnumerable<(string Table, List<string> Columns)> SearchedColumns(IModel model) =>
        model.GetEntityTypes()
            .Where(e => !e.IsOwned() && e.GetTableName() is not null)
            .Select(e => (Table: e.GetTableName()!, Columns: e.GetProperties()
                .Where(p => p.FindAnnotation(StorageHints.ContainsSearch) is not null).Select(p => p.GetColumnName()).ToList()))
            .Where(x => x.Columns.Count > 0);
}
