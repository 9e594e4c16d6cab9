using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace CommerceManager.Data;

/// <summary>PostgreSQL's own SQL: jsonb for custom values, binary COPY for bulk loads.</summary>
public sealed class PostgresDialect(IEnumerable<BulkLoadedTable>? bulkLoaded = null) : SqlDialect
{
    private readonly string[] bulkLoadedTables = [.. (bulkLoaded ?? []).Select(t => t.Name)];

    public override string Name => "postgres";

    public override int DefaultReadConcurrency => 2 * Environment.ProcessorCount;

    /// <summary>
    /// Migrates under a session advisory lock, so instances starting together apply each migration once (the others
    /// wait, then find nothing left to do). Creates the database first if the server has none of that name.
    /// </summary>
    public override async Task MigrateAsync(AppDbContext db, CancellationToken ct)
    {
        var creator = db.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct))
        {
            try
            {
                await creator.CreateAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Another instance created it.
            }
        }
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(7300216)", ct);
            try
            {
                // A seed stopped half-way gets its indexes back first: the migrations may expect them.
                await BulkLoadIndexes.Postgres.RestoreAsync(db.Database.GetDbConnection(), null, ct);
                await db.Database.MigrateAsync(ct);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(7300216)", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // Statistics are PostgreSQL's autovacuum's job; nothing to set per connection.
    public override Task AfterMigrateAsync(AppDbContext db, CancellationToken ct) => Task.CompletedTask;

    public override Task<int> CountCustomValuesAsync(AppDbContext db, string table, Guid fieldId, string? allowedJson, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        var sql = $"SELECT COUNT(*)::int AS \"Value\" FROM \"{table}\" WHERE \"CustomData\" IS NOT NULL " +
            "AND jsonb_typeof(\"CustomData\" -> {0}) IS NOT NULL AND jsonb_typeof(\"CustomData\" -> {0}) <> 'null'";
        // The table is one of two names checked above; the field and the allowed values are parameters.
#pragma warning disable EF1003
        return allowedJson is null
            ? db.Database.SqlQueryRaw<int>(sql, fieldId.ToString()).SingleAsync(ct)
            : db.Database.SqlQueryRaw<int>(sql + " AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(CAST({1} AS jsonb)) AS a(v) WHERE a.v = \"CustomData\" -> {0})",
                fieldId.ToString(), allowedJson).SingleAsync(ct);
#pragma warning restore EF1003
    }

    public override async Task<(object? Last, int Filled)> FillCustomDefaultAsync(AppDbContext db, string table, Guid fieldId, string defaultJson,
        object? after, int batch, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        var from = after as Guid?;
        // Keyset on the primary key: each batch a short transaction of its own.
#pragma warning disable EF1002, EF1003 // The table is one of two names checked above; values are parameters.
        var lower = from is null ? "" : "\"Id\" > {2} AND ";
        var upto = from is null
            ? await db.Database.SqlQueryRaw<Guid>($"SELECT \"Id\" AS \"Value\" FROM \"{table}\" ORDER BY \"Id\" OFFSET {{0}} LIMIT 1", batch - 1).ToListAsync(ct)
            : await db.Database.SqlQueryRaw<Guid>($"SELECT \"Id\" AS \"Value\" FROM \"{table}\" WHERE \"Id\" > {{0}} ORDER BY \"Id\" OFFSET {{1}} LIMIT 1",
                from.Value, batch - 1).ToListAsync(ct);
        var upper = upto.Count == 0 ? "" : (from is null ? "\"Id\" <= {2} AND " : "\"Id\" <= {3} AND ");
        var sql = $"UPDATE \"{table}\" SET \"CustomData\" = coalesce(\"CustomData\", jsonb_build_object()) || jsonb_build_object({{0}}, CAST({{1}} AS jsonb)) " +
            $"WHERE {lower}{upper}coalesce(jsonb_typeof(\"CustomData\" -> {{0}}), 'null') = 'null'";
        var args = new List<object> { fieldId.ToString(), defaultJson };
        if (from is not null)
        {
            args.Add(from.Value);
        }
        if (upto.Count > 0)
        {
            args.Add(upto[0]);
        }
        var filled = await db.Database.ExecuteSqlRawAsync(sql, args, ct);
#pragma warning restore EF1002, EF1003
        return (upto.Count == 0 ? null : upto[0], filled);
    }

    public override Task<int> FillCustomValuesAsync(AppDbContext db, string table, IReadOnlyList<(Guid FieldId, string Type)> fields, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        var pairs = string.Join(", ", fields.Select(f => $"'{f.FieldId}', " + f.Type switch
        {
            "string" => "'value ' || floor(random() * 1000)::int",
            "integer" => "floor(random() * 100000)::int",
            "boolean" => "random() < 0.5",
            "float" => "floor(random() * 100000) / 100.0",
            _ => "to_char(DATE '2000-01-01' + floor(random() * 9000)::int, 'YYYY-MM-DD')",
        }));
        // The SQL is built from field ids (GUIDs) and fixed expressions only; no input reaches it.
#pragma warning disable EF1002, EF1003
        return db.Database.ExecuteSqlRawAsync($"UPDATE \"{table}\" SET \"CustomData\" = jsonb_build_object({pairs})", ct);
#pragma warning restore EF1002, EF1003
    }

    /// <summary>Commits without waiting for the disk, and builds indexes with room to sort and both cores.</summary>
    public override Task PrepareBulkLoadAsync(DbConnection connection, CancellationToken ct) =>
        ExecuteAsync(connection, "SET synchronous_commit = off; SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2;", ct);

    public override Task PauseBulkLoadIndexesAsync(DbConnection connection, CancellationToken ct) =>
        BulkLoadIndexes.Postgres.PauseAsync(connection, bulkLoadedTables, ct);

    public override Task RestoreBulkLoadIndexesAsync(DbConnection connection, Action<string, TimeSpan>? built, CancellationToken ct) =>
        BulkLoadIndexes.Postgres.RestoreAsync(connection, built, ct);

    /// <summary>
    /// VACUUM as well: it moves bulk-loaded rows out of the GIN indexes' pending lists (until then the planner prices
    /// those indexes out) and marks pages all-visible for index-only scans.
    /// </summary>
    public override Task AnalyzeAsync(DbConnection connection, CancellationToken ct) => ExecuteAsync(connection, "VACUUM ANALYZE;", ct, unbounded: true);

    public override async Task EnsureCustomValueIndexAsync(AppDbContext db, string table, Guid fieldId, CustomValueKind kind, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        var name = CustomValueSql.IndexName(table, fieldId);
        // CONCURRENTLY: a big table keeps taking writes while the index builds. A build that failed half-way leaves an
        // invalid index behind, which IF NOT EXISTS would keep: drop that one first.
#pragma warning disable EF1002, EF1003 // Names built from a GUID and fixed function names.
        await db.Database.ExecuteSqlRawAsync(
            $"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = '{name}' AND NOT i.indisvalid) " +
            $"THEN EXECUTE 'DROP INDEX \"{name}\"'; END IF; END $$;", ct);
        await db.Database.ExecuteSqlRawAsync(
            $"CREATE INDEX CONCURRENTLY IF NOT EXISTS \"{name}\" ON \"{table}\" " +
            $"({CustomValueSql.PostgresFunction(kind)}(\"CustomData\", '{fieldId}'), \"CreatedAt\", \"Id\")", ct);
        await db.Database.ExecuteSqlRawAsync($"DROP INDEX IF EXISTS \"{CustomValueSql.LegacyIndexName(table, fieldId)}\"", ct);
#pragma warning restore EF1002, EF1003
    }

    public override BulkWriter OpenBulkWriter(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns) =>
        new CopyWriter((NpgsqlConnection)connection, table, columns);

    /// <summary>
    /// Buffers rows and writes them with binary COPY (one COPY at a time per connection, so writers to several tables
    /// interleave by buffering). Column types come from the catalogue, since binary COPY needs them exact.
    /// </summary>
    private sealed class CopyWriter(NpgsqlConnection connection, string table, IReadOnlyList<string> columns) : BulkWriter
    {
        private readonly List<object?[]> rows = [];
        private NpgsqlDbType[]? types;

        public override Task RowAsync(CancellationToken ct, params object?[] values)
        {
            // Flushed only by CompleteAsync, so the caller keeps foreign-key order across tables.
            rows.Add(values);
            return Task.CompletedTask;
        }

        public override async Task CompleteAsync(CancellationToken ct)
        {
            if (rows.Count == 0)
            {
                return;
            }
            types ??= await ColumnTypesAsync(ct);
            var copy = $"COPY \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)";
            await using (var importer = await connection.BeginBinaryImportAsync(copy, ct))
            {
                foreach (var row in rows)
                {
                    await importer.StartRowAsync(ct);
                    for (var i = 0; i < types.Length; i++)
                    {
                        if (row[i] is null or DBNull)
                        {
                            await importer.WriteNullAsync(ct);
                        }
                        else
                        {
                            await importer.WriteAsync(Coerce(row[i]!, types[i]), types[i], ct);
                        }
                    }
                }
                await importer.CompleteAsync(ct);
            }
            rows.Clear();
        }

        private async Task<NpgsqlDbType[]> ColumnTypesAsync(CancellationToken ct)
        {
            await using var command = new NpgsqlCommand(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table", connection);
            command.Parameters.AddWithValue("table", table);
            var byName = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    byName[reader.GetString(0)] = reader.GetString(1);
                }
            }
            return [.. columns.Select(c => byName.TryGetValue(c, out var type) ? TypeOf(type)
                : throw new InvalidOperationException($"Table {table} has no column {c}."))];
        }

        private static NpgsqlDbType TypeOf(string dataType) => dataType switch
        {
            "uuid" => NpgsqlDbType.Uuid,
            "text" or "character varying" => NpgsqlDbType.Text,
            "integer" => NpgsqlDbType.Integer,
            "bigint" => NpgsqlDbType.Bigint,
            "smallint" => NpgsqlDbType.Smallint,
            "boolean" => NpgsqlDbType.Boolean,
            "numeric" => NpgsqlDbType.Numeric,
            "double precision" => NpgsqlDbType.Double,
            "real" => NpgsqlDbType.Real,
            "jsonb" => NpgsqlDbType.Jsonb,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            var other => throw new NotSupportedException($"Bulk loading a {other} column is not supported."),
        };

        private static object Coerce(object value, NpgsqlDbType type) => type switch
        {
            NpgsqlDbType.Integer => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
            NpgsqlDbType.Bigint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
            NpgsqlDbType.Smallint => Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture),
            NpgsqlDbType.Numeric => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture),
            NpgsqlDbType.Double => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
            NpgsqlDbType.TimestampTz when value is DateTime { Kind: not DateTimeKind.Utc } local => DateTime.SpecifyKind(local, DateTimeKind.Utc),
            _ => value,
        };

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
