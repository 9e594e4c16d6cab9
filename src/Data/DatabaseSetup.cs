using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Data;

public static class DatabaseSetup
{
    public const string DefaultConnection = "Data Source=data/commerce.db";

    /// <summary>Registers the DbContext factory (which also registers the scoped context Identity uses) and the SQL dialect.</summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var connectionString = ResolveSqlite(config.GetConnectionString("Default") ?? DefaultConnection, contentRoot);
        services.AddDbContextFactory<AppDbContext>(o => o.UseSqlite(connectionString));
        services.AddSingleton<SqlDialect, SqliteDialect>();
        return services;
    }

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
        await db.Database.MigrateAsync(ct);
        await dialect.AfterMigrateAsync(db, ct);
    }
}
