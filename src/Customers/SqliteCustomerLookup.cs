using System.Collections.Concurrent;
using System.Globalization;
using CommerceManager.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Customers;

/// <summary>
/// The API's most frequent read, a customer by id, on SQLite without EF: a few open connections, each with the
/// statement prepared once, reused request after request. A profile of <c>GET /v2/customers/{id}</c> under load put
/// a large share of the request's CPU in EF's per-query work for this one-row read (a command built and prepared,
/// the connection opened and closed, its functions registered again); the rest of the app reads through EF.
/// Reads only: writes keep EF, its interceptors (the write queue) and its transactions. The columns and conversions
/// are the ones <see cref="CustomerService"/>'s <c>ToDto</c> reads through EF (text ids, UTC times); a test compares the two.
/// </summary>
public sealed class SqliteCustomerLookup(IDbContextFactory<AppDbContext> dbFactory) : IDisposable
{
    private const int MaxIdle = 16;

    /// <summary>What a <see cref="CustomerDto"/> is read from, in <see cref="Reader.Map"/>'s order.</summary>
    public const string Columns = """
        "Id", "Name", "Email", "PasswordHash" IS NOT NULL, "ExternalRef", "CreatedAt", "UpdatedAt", "Version",
               "CustomData", "OrderCount", "OrdersTotal", "LastOrderAt"
        """;

    private const string ByIdSql = $"""
        SELECT {Columns}
        FROM "Customers" WHERE "Id" = $id
        """;

    private readonly ConcurrentBag<Reader> idle = [];
    private string? connectionString;
    private bool disposed;

    public Task<CustomerDto?> ByIdAsync(Guid id, CancellationToken ct) => WithReaderAsync(reader => reader.ReadAsync(id, ct), ct);

    /// <summary>
    /// A page from <paramref name="sql"/> (selecting <see cref="Columns"/>; SQLite's substring index builds it), kept
    /// prepared on each connection: a contains search's statement costs more to prepare than to run (see
    /// docs/decisions/0004-fts5-creation-ordered-index.md).
    /// </summary>
    public Task<List<CustomerDto>> PageAsync(string sql, string phrase, string text, long n, int limit, int offset, CancellationToken ct) =>
        WithReaderAsync(reader => reader.PageAsync(sql, phrase, text, n, limit, offset, ct), ct);

    private async Task<T> WithReaderAsync<T>(Func<Reader, Task<T>> read, CancellationToken ct)
    {
        var reader = idle.TryTake(out var taken) ? taken : await OpenAsync(ct);
        var healthy = false;
        try
        {
            var result = await read(reader);
            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && !disposed && idle.Count < MaxIdle)
            {
                idle.Add(reader);
            }
            else
            {
                reader.Dispose();
            }
        }
    }

    private async Task<Reader> OpenAsync(CancellationToken ct)
    {
        if (connectionString is null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            // Not from Microsoft.Data.Sqlite's pool: these stay open here, and closing one must close it.
            connectionString = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ToString();
        }
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            var command = connection.CreateCommand();
            command.CommandText = ByIdSql;
            var parameter = command.Parameters.Add("$id", SqliteType.Text);
            command.Prepare();
            return new Reader(connection, command, parameter);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public void Dispose()
    {
        disposed = true;
        while (idle.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private sealed class Reader(SqliteConnection connection, SqliteCommand command, SqliteParameter id) : IDisposable
    {
        /// <summary>Page statements prepared on this connection, by SQL (a handful: one per column, kind and order).</summary>
        private readonly Dictionary<string, SqliteCommand> pages = new(StringComparer.Ordinal);

        public async Task<CustomerDto?> ReadAsync(Guid customerId, CancellationToken ct)
        {
            // Ids are stored as EF stores them on SQLite: upper-case text.
            id.Value = customerId.ToString().ToUpperInvariant();
            await using var row = await command.ExecuteReaderAsync(ct);
            return await row.ReadAsync(ct) ? Map(row) : null;
        }

        public async Task<List<CustomerDto>> PageAsync(string sql, string phrase, string text, long n, int limit, int offset, CancellationToken ct)
        {
            if (!pages.TryGetValue(sql, out var page))
            {
                page = connection.CreateCommand();
                page.CommandText = sql;
                page.Parameters.Add("$phrase", SqliteType.Text);
                page.Parameters.Add("$text", SqliteType.Text);
                page.Parameters.Add("$n", SqliteType.Integer);
                page.Parameters.Add("$limit", SqliteType.Integer);
                page.Parameters.Add("$offset", SqliteType.Integer);
                page.Prepare();
                pages[sql] = page;
            }
            page.Parameters["$phrase"].Value = phrase;
            page.Parameters["$text"].Value = text;
            page.Parameters["$n"].Value = n;
            page.Parameters["$limit"].Value = limit;
            page.Parameters["$offset"].Value = offset;
            var rows = new List<CustomerDto>(limit);
            await using var row = await page.ExecuteReaderAsync(ct);
            while (await row.ReadAsync(ct))
            {
                rows.Add(Map(row));
            }
            return rows;
        }

        private static CustomerDto Map(SqliteDataReader row) =>
            new(
                Guid.Parse(row.GetString(0)), row.GetString(1), row.GetString(2), row.GetInt64(3) != 0,
                row.IsDBNull(4) ? null : row.GetString(4), Utc(row.GetString(5)), Utc(row.GetString(6)), Guid.Parse(row.GetString(7)),
                row.IsDBNull(8) ? null : row.GetString(8), row.GetInt32(9), row.GetInt64(10), row.IsDBNull(11) ? null : Utc(row.GetString(11)));

        /// <summary>A stored time as EF reads it back: the text parsed, then marked UTC (the model's converter).</summary>
        private static DateTime Utc(string stored) =>
            DateTime.SpecifyKind(DateTime.Parse(stored, CultureInfo.InvariantCulture, DateTimeStyles.None), DateTimeKind.Utc);

        public void Dispose()
        {
            foreach (var page in pages.Values)
            {
                page.Dispose();
            }
            command.Dispose();
            connection.Dispose();
        }
    }
}
