using System.Data.Common;
using System.Diagnostics;

namespace CommerceManager.Data;

/// <summary>A table the <c>seed</c> tool fills in bulk: its non-unique indexes are dropped for the load and built once after it.</summary>
public sealed record BulkLoadedTable(string Name);

public static class BulkLoadedTables
{
    /// <summary>A feature names its bulk-filled tables here, so <c>Data</c> knows no feature's tables.</summary>
    public static IServiceCollection AddBulkLoadedTables(this IServiceCollection services, params string[] names)
    {
        foreach (var name in names)
        {
            services.AddSingleton(new BulkLoadedTable(name));
        }
        return services;
    }
}

/// <summary>
/// A bulk load's secondary indexes (the <c>seed</c> tool): dropped before the load and built again once after it.
/// Inserting a million customers and their orders in random creation order into some twenty B-tree indexes (and, on
/// PostgreSQL, the trigram and jsonb GIN indexes) costs most of a seed; building each index once from the finished
/// table is a sort. One instance per provider: they differ only in where the catalogue lists indexes and tables.
/// <para>
/// Only non-unique indexes are dropped, so unique emails and primary keys are still checked row by row during the
/// load. Each dropped index's SQL is kept in <c>BulkLoad_paused_indexes</c> in the same transaction as the drop, and
/// <see cref="RestoreAsync"/> runs at every start-up (before migrations, which may expect them) as well as at the end of
/// the load: a load stopped half-way (Ctrl+C, kill -9) leaves a store that gets its indexes back on its next start.
/// </para>
/// </summary>
public sealed class BulkLoadIndexes
{
    private const string Paused = "BulkLoad_paused_indexes";

    /// <summary>SQLite: <c>sqlite_master</c>; automatic indexes (primary keys, UNIQUE constraints) have no SQL.</summary>
    public static readonly BulkLoadIndexes Sqlite = new(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({0}) ORDER BY name",
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table");

    /// <summary>PostgreSQL: <c>pg_indexes</c> of the current schema; primary keys are unique indexes there.</summary>
    public static readonly BulkLoadIndexes Postgres = new(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%' " +
        "AND tablename IN ({0}) ORDER BY indexname",
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @table");

    private readonly string listIndexes;
    private readonly string tableExists;

    private BulkLoadIndexes(string listIndexes, string tableExists)
    {
        this.listIndexes = listIndexes;
        this.tableExists = tableExists;
    }

    /// <summary>Drops the non-unique indexes of <paramref name="tables"/>, remembering each one's SQL.</summary>
    public async Task PauseAsync(DbConnection connection, IReadOnlyList<string> tables, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, $"CREATE TABLE IF NOT EXISTS \"{Paused}\"(\"Name\" TEXT PRIMARY KEY, \"Sql\" TEXT NOT NULL)", ct);
        var indexes = new List<(string Name, string Sql)>();
        await using (var find = connection.CreateCommand())
        {
            find.Transaction = tx;
            find.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, listIndexes,
                string.Join(", ", tables.Select((_, i) => $"@t{i}")));
            for (var i = 0; i < tables.Count; i++)
            {
                Add(find, $"@t{i}", tables[i]);
            }
            await using var reader = await find.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        foreach (var (name, sql) in indexes)
        {
            await using var keep = connection.CreateCommand();
            keep.Transaction = tx;
            keep.CommandText = $"INSERT INTO \"{Paused}\"(\"Name\", \"Sql\") VALUES (@name, @sql) ON CONFLICT (\"Name\") DO UPDATE SET \"Sql\" = excluded.\"Sql\"";
            Add(keep, "@name", name);
            Add(keep, "@sql", sql);
            await keep.ExecuteNonQueryAsync(ct);
            // The name comes from the catalogue; quotes in it are doubled.
            await ExecuteAsync(connection, tx, $"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Builds every index a load dropped, one at a time, each forgotten in the transaction that builds it; nothing to do
    /// (one look at the schema) when no load was paused. Reports each index built and how long it took.
    /// </summary>
    public async Task RestoreAsync(DbConnection connection, Action<string, TimeSpan>? built, CancellationToken ct)
    {
        await using (var exists = connection.CreateCommand())
        {
            exists.CommandText = tableExists;
            Add(exists, "@table", Paused);
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return;
            }
        }
        var indexes = new List<(string Name, string Sql)>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = $"SELECT \"Name\", \"Sql\" FROM \"{Paused}\" ORDER BY \"Name\"";
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        foreach (var (name, sql) in indexes)
        {
            var clock = Stopwatch.StartNew();
            await using var tx = await connection.BeginTransactionAsync(ct);
            // The SQL the database stored for the index, made idempotent: a build that committed but was not yet forgotten
            // cannot happen (same transaction), and an index a migration has since re-created is left as it is.
            await ExecuteAsync(connection, tx, IfNotExists(sql), ct);
            await using (var forget = connection.CreateCommand())
            {
                forget.Transaction = tx;
                forget.CommandText = $"DELETE FROM \"{Paused}\" WHERE \"Name\" = @name";
                Add(forget, "@name", name);
                await forget.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            built?.Invoke(name, clock.Elapsed);
        }
        await ExecuteAsync(connection, null, $"DROP TABLE IF EXISTS \"{Paused}\"", ct);
    }

    /// <summary><c>CREATE INDEX x …</c> as <c>CREATE INDEX IF NOT EXISTS x …</c>.</summary>
    internal static string IfNotExists(string createIndex)
    {
        const string Prefix = "CREATE INDEX ";
        return createIndex.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) &&
               !createIndex.AsSpan(Prefix.Length).TrimStart().StartsWith("IF NOT EXISTS", StringComparison.OrdinalIgnoreCase)
            ? "CREATE INDEX IF NOT EXISTS " + createIndex[Prefix.Length..]
            : createIndex;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        // Building an index over millions of rows takes minutes.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
