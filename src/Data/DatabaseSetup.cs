using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Data;

public enum DatabaseProvider { Sqlite, Postgres }

public static class DatabaseSetup
{
    public const string DefaultConnection = "Data Source=data/commerce.db";

    /// <summary>
    /// Registers the DbContext factory (which also registers the scoped context Identity uses) and the SQL dialect for
    /// <c>Database__Provider</c>: <c>sqlite</c> (default, a file) or <c>postgres</c> (a server; several app instances).
    /// </summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var provider = ProviderOf(config);
        if (provider == DatabaseProvider.Postgres)
        {
            var connectionString = config.GetConnectionString("Default");
            if (string.IsNullOrWhiteSpace(connectionString) || connectionString.TrimStart().StartsWith("Data Source", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("Database__Provider=postgres needs a PostgreSQL connection string in ConnectionStrings__Default, " +
                    "e.g. Host=127.0.0.1;Port=5432;Database=commerce;Username=commerce;Password=…");
            }
            services.AddDbContextFactory<AppDbContext, PostgresContextFactory>(o => o.UseNpgsql(connectionString));
            services.AddScoped(sp => (PostgresDbContext)sp.GetRequiredService<AppDbContext>());
            services.AddSingleton<SqlDialect, PostgresDialect>();
        }
        else
        {
            var connectionString = ResolveSqlite(config.GetConnectionString("Default") ?? DefaultConnection, contentRoot);
            services.AddDbContextFactory<AppDbContext, SqliteContextFactory>(o => o.UseSqlite(connectionString));
            services.AddSingleton<SqlDialect, SqliteDialect>();
        }
        return services;
    }

    public static DatabaseProvider ProviderOf(IConfiguration config) => (config["Database:Provider"] ?? "sqlite").Trim().ToLowerInvariant() switch
    {
        "sqlite" or "" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        var other => throw new InvalidOperationException($"Database__Provider must be sqlite or postgres, not '{other}'."),
    };

    /// <summary>
    /// Makes a relative SQLite path relative to the app's folder (not the shell's) and creates its directory,
    /// which SQLite will not do itself.
    /// </summary>
    public static string ResolveSqlite(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && !builder.DataSource.StartsWith(':') && builder.DataSource.Length > 0)
        {
            var path = Path.GetFullPath(builder.DataSource, baseDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }
        // Waiting for the single SQLite writer is better than failing a save under load.
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, 30);
        return builder.ToString();
    }

    /// <summary>Applies migrations, then the provider's own settings (SQLite: WAL, so readers never wait for the writer).</summary>
    public static async Task MigrateAsync(AppDbContext db, SqlDialect dialect, CancellationToken ct = default)
    {
        await dialect.MigrateAsync(db, ct);
        await dialect.AfterMigrateAsync(db, ct);
    }
}
