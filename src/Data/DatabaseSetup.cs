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
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor, StorageHealthInterceptor>();
        if (provider == DatabaseProvider.Postgres)
        {
            var connectionString = config.GetConnectionString("Default");
            if (string.IsNullOrWhiteSpace(connectionString) || connectionString.TrimStart().StartsWith("Data Source", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("Database__Provider=postgres needs a PostgreSQL connection string in ConnectionStrings__Default, " +
                    "e.g. Host=127.0.0.1;Port=5432;Database=commerce;Username=commerce;Password=…");
            }
            connectionString = WithPostgresDefaults(connectionString);
            AddContexts<PostgresDbContext>(services, (sp, o) => o.UseNpgsql(connectionString).AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor>()));
            // Data Protection's key store: a context of its own from the pool (not the scope's AppDbContext again, which
            // the scope would then give back to the pool twice).
            services.AddScoped(sp => (PostgresDbContext)sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
            services.AddSingleton<SqlDialect, PostgresDialect>();
            services.AddSingleton<VersionedCounts>();
        }
        else
        {
            var connectionString = ResolveSqlite(config.GetConnectionString("Default") ?? DefaultConnection, contentRoot);
            AddContexts<SqliteDbContext>(services, (sp, o) => o.UseSqlite(connectionString)
                .AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor>())
                .AddInterceptors(SqliteSecureDelete.Instance, SqliteWriteQueue.Instance));
            services.AddSingleton<SqlDialect, SqliteDialect>();
            services.AddSingleton<SqliteGroupCommit>();
            // The first hosted service, so the last to stop: after the web server and every job runner.
            services.AddHostedService(sp => new SqliteShutdown(connectionString, sp.GetRequiredService<ILogger<SqliteShutdown>>()));
        }
        return services;
    }

    /// <summary>
    /// The context factory every feature uses (pooled: see <see cref="PooledContexts{TContext}"/>), and the scoped context
    /// Identity and Data Protection take from a request's scope (back to the pool when the scope ends).
    /// </summary>
    private static void AddContexts<TContext>(IServiceCollection services, Action<IServiceProvider, DbContextOptionsBuilder> configure)
        where TContext : AppDbContext
    {
        // Registered EF's way, so ConfigureDbContext<AppDbContext>(…) elsewhere (tests' fault injection) still applies.
        services.ConfigureDbContext<AppDbContext>(configure);
        services.AddSingleton<IDbContextFactory<AppDbContext>>(sp =>
        {
            var options = new DbContextOptionsBuilder<TContext>();
            foreach (var configuration in sp.GetServices<Microsoft.EntityFrameworkCore.Infrastructure.IDbContextOptionsConfiguration<AppDbContext>>())
            {
                configuration.Configure(sp, options);
            }
            return new PooledContexts<TContext>(options.Options);
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
    }

    /// <summary>
    /// The app's PostgreSQL connection settings where the connection string is silent: Npgsql prepares a statement on
    /// the server from its second use and keeps it across the pool's reuse of the connection (up to 64 per connection),
    /// so the API's hot queries skip PostgreSQL's parse and plan on a warm connection.
    /// A setting given in the connection string wins.
    /// </summary>
    internal static string WithPostgresDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = 64;
        }
        if (!given.ContainsKey("Auto Prepare Min Usages") && !given.ContainsKey("AutoPrepareMinUsages"))
        {
            settings.AutoPrepareMinUsages = 2;
        }
        return settings.ConnectionString;
    }

    /// <summary>
    /// Registers the implementation of a feature's store (<typeparamref name="TStore"/>) for <c>Database__Provider</c>:
    /// the one place where a feature's storage depends on the provider. Services hold the rules and take the store.
    /// </summary>
    public static IServiceCollection AddStore<TStore, TSqlite, TPostgres>(this IServiceCollection services, IConfiguration config)
        where TStore : class where TSqlite : class, TStore where TPostgres : class, TStore =>
        ProviderOf(config) == DatabaseProvider.Postgres ? services.AddSingleton<TStore, TPostgres>() : services.AddSingleton<TStore, TSqlite>();

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
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DataFolderException(Path.GetDirectoryName(path)!, ex);
            }
            builder.DataSource = path;
        }
        // Waiting for the single SQLite writer is better than failing a save under load.
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, 30);
        return builder.ToString();
    }

    /// <summary>
    /// The folder the app keeps its files in (exports, backups): the SQLite file's folder, or <c>data</c> under the app's
    /// folder on PostgreSQL.
    /// </summary>
    public static string DataFolder(IConfiguration config, string contentRoot)
    {
        if (ProviderOf(config) == DatabaseProvider.Sqlite)
        {
            var source = new SqliteConnectionStringBuilder(ResolveSqlite(config.GetConnectionString("Default") ?? DefaultConnection, contentRoot)).DataSource;
            if (Path.IsPathRooted(source))
            {
                return Path.GetDirectoryName(source)!;
            }
        }
        return Path.Combine(contentRoot, "data");
    }

    /// <summary>Applies migrations, then the provider's own settings (SQLite: WAL, so readers never wait for the writer).</summary>
    public static async Task MigrateAsync(AppDbContext db, SqlDialect dialect, CancellationToken ct = default)
    {
        // A schema this version has never heard of came from a newer version: migrating "down" would lose data.
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        if ((await db.Database.GetAppliedMigrationsAsync(ct)).Where(m => !known.Contains(m)).Order(StringComparer.Ordinal).LastOrDefault() is { } unknown)
        {
            throw new DatabaseTooNewException(unknown, known.Order(StringComparer.Ordinal).Last());
        }
        await dialect.MigrateAsync(db, ct);
        await dialect.AfterMigrateAsync(db, ct);
    }
}

/// <summary>The SQLite file's folder could not be created.</summary>
public sealed class DataFolderException(string folder, Exception inner) : IOException($"The data folder {folder} can't be created.", inner)
{
    public string Folder { get; } = folder;
}

/// <summary>The database was last migrated by a newer version of the app (a schema this version does not know).</summary>
public sealed class DatabaseTooNewException(string migration, string newestKnown)
    : InvalidOperationException($"The database has schema {migration}, newer than this version of Commerce Manager knows (up to {newestKnown}).")
{
    public string Migration { get; } = migration;
}

/// <summary>
/// When the app stops (after the web server has finished its requests and the job runners have stopped): folds the
/// write-ahead log into the database file and empties it, so a stopped app leaves one self-contained file behind.
/// </summary>
internal sealed class SqliteShutdown(string connectionString, ILogger<SqliteShutdown> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Connections the app had open go back to the pool closed from here on.
            SqliteConnection.ClearAllPools();
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false, DefaultTimeout = 10 }.ToString());
            // Not the host's token: it is already cancelled when the shutdown ran long, and this is quick (bounded by the timeout above).
            await connection.OpenAsync(CancellationToken.None);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            // busy = 1 when a connection still reading kept the checkpoint from finishing (the next start completes it).
            if (await reader.ReadAsync(CancellationToken.None) && reader.GetInt32(0) != 0)
            {
                log.LogWarning("The write-ahead log could not be emptied at shutdown (a connection was still busy); the next start folds it in.");
            }
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            log.LogWarning(ex, "The write-ahead log could not be checkpointed at shutdown; the next start folds it in.");
        }
    }
}
