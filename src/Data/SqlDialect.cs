using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Data;

/// <summary>
/// Every piece of SQL that only one database understands lives behind this class, one subclass per provider, so
/// features write LINQ and the provider can change with one setting.
/// </summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>
    /// How many API reads of the store should run at once when <c>Database__ReadConcurrency</c> does not say: SQLite's
    /// reads are this process's CPU work (as many as cores); PostgreSQL's are mostly the server's (twice that).
    /// </summary>
    public abstract int DefaultReadConcurrency { get; }

    /// <summary>Applies pending migrations, one instance at a time when several start together.</summary>
    public virtual Task MigrateAsync(AppDbContext db, CancellationToken ct) => db.Database.MigrateAsync(ct);

    /// <summary>Runs after migrations: connection-level settings and planner statistics.</summary>
    public abstract Task AfterMigrateAsync(AppDbContext db, CancellationToken ct);

    /// <summary>
    /// How many rows of <paramref name="table"/> (one with custom values) hold a value for a custom field in their
    /// CustomData JSON; with <paramref name="allowedJson"/> (a JSON array), only the values outside it.
    /// </summary>
    public abstract Task<int> CountCustomValuesAsync(AppDbContext db, string table, Guid fieldId, string? allowedJson, CancellationToken ct);

    /// <summary>
    /// Gives every customer a random value for each of <paramref name="fields"/> (field id, type name): the storage-cost
    /// benchmark's data. Returns the number of customers updated.
    /// </summary>
    public abstract Task<int> FillCustomValuesAsync(AppDbContext db, string table, IReadOnlyList<(Guid FieldId, string Type)> fields, CancellationToken ct);

    /// <summary>
    /// Stores <paramref name="defaultJson"/> as a custom field's value on the next <paramref name="batch"/> rows of
    /// <paramref name="table"/> (one with custom values) after <paramref name="after"/> (in the table's own key order) that
    /// have no value. Returns where the walk stopped (null at the end of the table) and the rows changed. Version and
    /// UpdatedAt stay: the records read the same before (they showed the default), so open editors keep their version.
    /// </summary>
    public abstract Task<(object? Last, int Filled)> FillCustomDefaultAsync(AppDbContext db, string table, Guid fieldId, string defaultJson,
        object? after, int batch, CancellationToken ct);

    /// <summary>A value as this provider stores it, for rows written with plain ADO.NET (seeding).</summary>
    public virtual object StoredValue(object value) => value;

    /// <summary>Settings for one bulk-loading connection (seeding): the app's own connections keep full durability.</summary>
    public abstract Task PrepareBulkLoadAsync(DbConnection connection, CancellationToken ct);

    /// <summary>
    /// Settings for one connection that writes many batches while the app serves (an import): SQLite gets a larger page
    /// cache, since the substring index's pages no longer fit the default 2 MB and every batch would read them again.
    /// Durability stays as it is. <see cref="EndLongWriteAsync"/> puts the connection back as the pool expects it.
    /// </summary>
    public virtual Task BeginLongWriteAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    public virtual Task EndLongWriteAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Before an erasure on this (open) connection: SQLite overwrites what it deletes with zeros, so an erased value does
    /// not linger in free space of the file.
    /// </summary>
    public virtual Task BeginErasureAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>After an erasure has committed: SQLite copies the write-ahead log into the file and empties it.</summary>
    public virtual Task EndErasureAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Refreshes the planner's statistics after a bulk load.</summary>
    public abstract Task AnalyzeAsync(DbConnection connection, CancellationToken ct);

    /// <summary>
    /// Before a bulk load: stops maintaining what is cheaper to rebuild once afterwards (SQLite's substring index).
    /// <see cref="AfterMigrateAsync"/>, run at every start-up and after a load, restores and rebuilds it.
    /// </summary>
    public virtual Task PauseDerivedIndexesAsync(AppDbContext db, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Before a bulk load into a store nobody is using (the <c>seed</c> tool; not an import, which runs while the app
    /// serves): drops the non-unique indexes of the tables a load fills, to build each once afterwards with
    /// <see cref="RestoreBulkLoadIndexesAsync"/>, which start-up also runs (<see cref="BulkLoadIndexes"/>).
    /// </summary>
    public virtual Task PauseBulkLoadIndexesAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Builds the indexes <see cref="PauseBulkLoadIndexesAsync"/> dropped, reporting each one and its time.</summary>
    public virtual Task RestoreBulkLoadIndexesAsync(DbConnection connection, Action<string, TimeSpan>? built, CancellationToken ct) =>
        Task.CompletedTask;

    /// <summary>
    /// Makes sure a custom field's values in <paramref name="table"/> have their own index (for eq and sort), built on
    /// the expression <see cref="CustomValueSql"/> translates to. Idempotent; may take a while on a large table.
    /// </summary>
    public abstract Task EnsureCustomValueIndexAsync(AppDbContext db, string table, Guid fieldId, CustomValueKind kind, CancellationToken ct);

    /// <summary>Drops the index of a deleted custom field.</summary>
    public Task DropCustomValueIndexAsync(AppDbContext db, string table, Guid fieldId, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
#pragma warning disable EF1002, EF1003 // A fixed name built from a GUID.
        return db.Database.ExecuteSqlRawAsync($"DROP INDEX IF EXISTS \"{CustomValueSql.IndexName(table, fieldId)}\"; " +
            $"DROP INDEX IF EXISTS \"{CustomValueSql.LegacyIndexName(table, fieldId)}\";", ct);
#pragma warning restore EF1002, EF1003
    }

    /// <summary>
    /// A fast writer of many rows into one table inside <paramref name="transaction"/> (seeding, import). Rows may be
    /// buffered: call <see cref="BulkWriter.CompleteAsync"/> on writers in foreign-key order before committing.
    /// </summary>
    public abstract BulkWriter OpenBulkWriter(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns);

    /// <summary>
    /// Refuses a table name that is not, in the EF model, an entity's table with a <c>CustomData</c> column: the names
    /// this class puts into SQL come from the model, never from input.
    /// </summary>
    protected static void RequireCustomValueTable(AppDbContext db, string table)
    {
        if (!db.Model.GetEntityTypes().Any(e => !e.IsOwned() && e.GetTableName() == table && e.FindProperty("CustomData") is not null))
        {
            throw new ArgumentException($"{table} is not a table with custom values.", nameof(table));
        }
    }

    /// <param name="unbounded">No command timeout (statistics and vacuum over a whole store).</param>
    protected static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct, bool unbounded = false)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (unbounded)
        {
            command.CommandTimeout = 0;
        }
        await command.ExecuteNonQueryAsync(ct);
    }
}

public sealed class SqliteDialect(IEnumerable<BulkLoadedTable>? bulkLoaded = null) : SqlDialect
{
    private readonly string[] bulkLoadedTables = [.. (bulkLoaded ?? []).Select(t => t.Name)];

    public override string Name => "sqlite";

    public override int DefaultReadConcurrency => Environment.ProcessorCount;

    public override async Task AfterMigrateAsync(AppDbContext db, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        await SqliteSubstringIndex.EnsureAsync(db, ct);
        // Refresh the planner's statistics where they are stale or missing (new indexes from a migration):
        // cheap when nothing changed, and without them SQLite can pick a poor index for a million rows.
        await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002;", ct);
    }

    public override Task<int> CountCustomValuesAsync(AppDbContext db, string table, Guid fieldId, string? allowedJson, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        // A JSON path parameter per field; the table is one of two constants.
        var sql = $"SELECT COUNT(*) AS \"Value\" FROM \"{table}\" WHERE \"CustomData\" IS NOT NULL AND json_extract(\"CustomData\", {{0}}) IS NOT NULL";
        var path = $"$.\"{fieldId}\"";
        // The table is one of two names checked above; the field and the allowed values are parameters.
#pragma warning disable EF1003
        return allowedJson is null
            ? db.Database.SqlQueryRaw<int>(sql, path).SingleAsync(ct)
            : db.Database.SqlQueryRaw<int>(sql + " AND json_extract(\"CustomData\", {0}) NOT IN (SELECT value FROM json_each({1}))", path, allowedJson).SingleAsync(ct);
#pragma warning restore EF1003
    }

    public override async Task<(object? Last, int Filled)> FillCustomDefaultAsync(AppDbContext db, string table, Guid fieldId, string defaultJson,
        object? after, int batch, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        var from = after as long? ?? long.MinValue;
        // Keyset on rowid: each batch a short write of its own, so saves interleave with a long fill.
#pragma warning disable EF1002, EF1003 // The table is one of two names checked above; the path is built from a GUID.
        var upto = await db.Database.SqlQueryRaw<long>($"SELECT rowid AS \"Value\" FROM \"{table}\" WHERE rowid > {{0}} ORDER BY rowid LIMIT 1 OFFSET {{1}}",
            from, batch - 1).ToListAsync(ct);
        var last = upto.Count == 0 ? long.MaxValue : upto[0];
        var path = CustomValueSql.SqlitePath(fieldId.ToString());
        var filled = await db.Database.ExecuteSqlRawAsync(
            $"UPDATE \"{table}\" SET \"CustomData\" = json_set(coalesce(\"CustomData\", json_object()), '{path}', json({{0}})) " +
            $"WHERE rowid > {{1}} AND rowid <= {{2}} AND json_extract(coalesce(\"CustomData\", json_object()), '{path}') IS NULL", [defaultJson, from, last], ct);
#pragma warning restore EF1002, EF1003
        return (upto.Count == 0 ? null : last, filled);
    }

    /// <summary>EF Core's SQLite provider stores Guids as upper-case text and DateTime as ISO text.</summary>
    public override object StoredValue(object value) => value switch
    {
        Guid id => id.ToString().ToUpperInvariant(),
        DateTime utc => utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture),
        _ => value,
    };

    public override Task<int> FillCustomValuesAsync(AppDbContext db, string table, IReadOnlyList<(Guid FieldId, string Type)> fields, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        var pairs = string.Join(", ", fields.Select(f => $"'{f.FieldId}', " + f.Type switch
        {
            "string" => "'value ' || (abs(random()) % 1000)",
            "integer" => "abs(random()) % 100000",
            "boolean" => "json(CASE WHEN random() % 2 = 0 THEN 'true' ELSE 'false' END)",
            "float" => "(abs(random()) % 100000) / 100.0",
            _ => "date('2000-01-01', '+' || (abs(random()) % 9000) || ' days')",
        }));
        // The SQL is built from field ids (GUIDs) and fixed expressions only; no input reaches it.
#pragma warning disable EF1002
        return db.Database.ExecuteSqlRawAsync($"UPDATE \"{table}\" SET \"CustomData\" = json_object({pairs})", ct);
#pragma warning restore EF1002
    }

    public override Task PrepareBulkLoadAsync(DbConnection connection, CancellationToken ct) =>
        ExecuteAsync(connection, "PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY; PRAGMA threads=2;", ct);

    public override Task AnalyzeAsync(DbConnection connection, CancellationToken ct) => ExecuteAsync(connection, "ANALYZE;", ct, unbounded: true);

    public override Task BeginLongWriteAsync(DbConnection connection, CancellationToken ct) => ExecuteAsync(connection, "PRAGMA cache_size=-131072;", ct);

    public override Task EndLongWriteAsync(DbConnection connection, CancellationToken ct) => ExecuteAsync(connection, "PRAGMA cache_size=-2000;", ct);

    public override Task PauseDerivedIndexesAsync(AppDbContext db, CancellationToken ct) => SqliteSubstringIndex.PauseAsync(db, ct);

    public override Task PauseBulkLoadIndexesAsync(DbConnection connection, CancellationToken ct) =>
        BulkLoadIndexes.Sqlite.PauseAsync(connection, bulkLoadedTables, ct);

    public override Task RestoreBulkLoadIndexesAsync(DbConnection connection, Action<string, TimeSpan>? built, CancellationToken ct) =>
        BulkLoadIndexes.Sqlite.RestoreAsync(connection, built, ct);

    /// <summary>A seed stopped half-way gets its indexes back first: the migrations may expect them.</summary>
    public override async Task MigrateAsync(AppDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await BulkLoadIndexes.Sqlite.RestoreAsync(db.Database.GetDbConnection(), null, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        await base.MigrateAsync(db, ct);
    }

    // Every connection already overwrites what it deletes (SqliteSecureDelete); this is the same, said where it matters.
    public override Task BeginErasureAsync(DbConnection connection, CancellationToken ct) => ExecuteAsync(connection, "PRAGMA secure_delete=ON;", ct);

    public override async Task EndErasureAsync(DbConnection connection, CancellationToken ct)
    {
        // Earlier versions of the erased pages live on in the write-ahead log until it is checkpointed and truncated; a
        // reader in the middle of a query keeps the checkpoint from finishing, so it is tried again for a few seconds.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct) && reader.GetInt32(0) == 0)
            {
                return;
            }
            await Task.Delay(100, ct);
        }
    }

    public override BulkWriter OpenBulkWriter(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns) =>
        new PreparedInsertWriter(connection, transaction, table, columns);

    public override async Task EnsureCustomValueIndexAsync(AppDbContext db, string table, Guid fieldId, CustomValueKind kind, CancellationToken ct)
    {
        RequireCustomValueTable(db, table);
        // The same expression the query uses: json_extract with the literal path. The field id is a GUID.
#pragma warning disable EF1002, EF1003
        await db.Database.ExecuteSqlRawAsync(
            $"CREATE INDEX IF NOT EXISTS \"{CustomValueSql.IndexName(table, fieldId)}\" ON \"{table}\" " +
            $"(json_extract(\"CustomData\", '{CustomValueSql.SqlitePath(fieldId.ToString())}'), \"CreatedAt\", \"Id\")", ct);
        await db.Database.ExecuteSqlRawAsync($"DROP INDEX IF EXISTS \"{CustomValueSql.LegacyIndexName(table, fieldId)}\"", ct);
#pragma warning restore EF1002, EF1003
    }

    /// <summary>One prepared INSERT executed per row: SQLite's fastest path inside a transaction.</summary>
    private sealed class PreparedInsertWriter : BulkWriter
    {
        private readonly DbCommand command;
        private readonly DbParameter[] parameters;

        public PreparedInsertWriter(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns)
        {
            command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) " +
                $"VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
            parameters = columns.Select((_, i) =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{i}";
                command.Parameters.Add(parameter);
                return parameter;
            }).ToArray();
        }

        public override async Task RowAsync(CancellationToken ct, params object?[] values)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync(ct);
        }

        public override Task CompleteAsync(CancellationToken ct) => Task.CompletedTask;

        public override ValueTask DisposeAsync() => command.DisposeAsync();
    }
}

/// <summary>Writes many rows into one table; see <see cref="SqlDialect.OpenBulkWriter"/>.</summary>
public abstract class BulkWriter : IAsyncDisposable
{
    /// <summary>One row, values in the order of the columns the writer was opened with.</summary>
    public abstract Task RowAsync(CancellationToken ct, params object?[] values);

    /// <summary>Writes whatever is buffered; the writer can take more rows afterwards.</summary>
    public abstract Task CompleteAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}
