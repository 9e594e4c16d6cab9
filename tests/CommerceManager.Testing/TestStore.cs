using Microsoft.Data.Sqlite;
using Npgsql;

namespace CommerceManager.Testing;

/// <summary>
/// Where one test's app keeps its data: a fresh database and Data Protection keys of its own, removed afterwards. The
/// service tests, the HTTP tests and the browser tests all start from here, so they run on the same kind of database
/// the app runs on: a SQLite file in a temporary folder, or, when <c>CM_TEST_DATABASE=postgres</c>, a new database on
/// the PostgreSQL server <c>CM_TEST_POSTGRES</c> points at (./test.sh starts a throwaway one and sets both).
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    /// <summary>The admin connection string of the test PostgreSQL server, set by ./test.sh.</summary>
    public const string PostgresVariable = "CM_TEST_POSTGRES";
    /// <summary><c>postgres</c> runs every test on PostgreSQL; unset or <c>sqlite</c> on SQLite.</summary>
    public const string DatabaseVariable = "CM_TEST_DATABASE";

    private readonly string? postgresDatabase;

    private TestStore(string directory, string? postgresDatabase)
    {
        Directory = directory;
        this.postgresDatabase = postgresDatabase;
    }

    public string Directory { get; }

    public bool IsPostgres => postgresDatabase is not null;

    public string ConnectionString => postgresDatabase is null
        ? $"Data Source={Path.Combine(Directory, "app.db")}"
        : new NpgsqlConnectionStringBuilder(ServerConnectionString()) { Database = postgresDatabase }.ConnectionString;

    public string KeysPath => Path.Combine(Directory, "keys");

    /// <summary>The settings that point an app at this store, as configuration keys.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = IsPostgres ? "postgres" : "sqlite",
        ["ConnectionStrings:Default"] = ConnectionString,
        ["DataProtection:KeysPath"] = KeysPath,
    };

    /// <summary>True when this test run puts every store on PostgreSQL.</summary>
    public static bool PostgresRun => string.Equals(Environment.GetEnvironmentVariable(DatabaseVariable), "postgres", StringComparison.OrdinalIgnoreCase);

    public static TestStore Create(string prefix = "cm-tests-") => PostgresRun ? CreatePostgres(prefix) : CreateSqlite(prefix);

    public static TestStore CreateSqlite(string prefix = "cm-tests-") => new(System.IO.Directory.CreateTempSubdirectory(prefix).FullName, null);

    /// <summary>A new, empty database on the test PostgreSQL server, whatever this run's default.</summary>
    public static TestStore CreatePostgres(string prefix = "cm-tests-")
    {
        var name = "cm_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(ServerConnectionString()))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            command.ExecuteNonQuery();
        }
        return new(System.IO.Directory.CreateTempSubdirectory(prefix).FullName, name);
    }

    private static string ServerConnectionString() =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value
            : throw new InvalidOperationException(
                $"This test needs PostgreSQL: run ./test.sh, which starts a throwaway server and sets {PostgresVariable}, " +
                $"or set {PostgresVariable} to an admin connection string (e.g. Host=127.0.0.1;Port=5432;Username=postgres).");

    public async ValueTask DisposeAsync()
    {
        if (postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(ServerConnectionString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{postgresDatabase}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere only leaves a temp folder behind.
        }
    }
}
