using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CommerceManager.Data;

/// <summary>The embedded default: one SQLite file. Migrations under src/Data/Migrations/Sqlite.</summary>
public sealed class SqliteDbContext(DbContextOptions options) : AppDbContext(options)
{
    protected override void ConfigureProvider(ModelBuilder builder)
    {
        CustomValueSql.MapForSqlite(builder);
        ShortIdSql.MapForSqlite(builder);
    }
}

/// <summary>
/// PostgreSQL, for stores that outgrow one file or one process. Migrations under src/Data/Migrations/Postgres. Text
/// compares and sorts byte-wise (collation "C") as on SQLite, so paging and prefix searches agree on both; JSON
/// documents are <c>jsonb</c> with a GIN index; contains-searched columns get a trigram GIN index; Data Protection keys
/// live here, so every instance shares them.
/// </summary>
public sealed class PostgresDbContext(DbContextOptions options) : AppDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureProvider(ModelBuilder builder)
    {
        builder.HasPostgresExtension("pg_trgm");
        CustomValueSql.MapForPostgres(builder);
        ShortIdSql.MapForPostgres(builder);
        builder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
        foreach (var entity in builder.Model.GetEntityTypes().ToList())
        {
            foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(string)).ToList())
            {
                var table = entity.GetTableName();
                if (property.FindAnnotation(StorageHints.JsonDocument) is not null)
                {
                    // jsonb has no collation.
                    property.SetColumnType("jsonb");
                    var index = entity.AddIndex(property, $"IX_{table}_{property.GetColumnName()}_gin");
                    index.SetMethod("gin");
                    index.SetOperators(new[] { "jsonb_path_ops" });
                    continue;
                }
                property.SetCollation("C");
                if (!entity.IsOwned() && property.FindAnnotation(StorageHints.ContainsSearch) is not null)
                {
                    var index = entity.AddIndex(property, $"IX_{table}_{property.GetColumnName()}_trgm");
                    index.SetMethod("gin");
                    index.SetOperators(new[] { "gin_trgm_ops" });
                }
            }
            // The creation-time index (CreatedAt, Id) of a table with contains-searched columns carries them, so a contains
            // search's page in creation order is a walk of that index alone (PostgresCreationWalk): no
            // row is read until the page's matches are known.
            // Only bounded columns: a B-tree entry holds at most about 2.7 kB.
            string[] searched = [.. entity.GetProperties()
                .Where(p => p.FindAnnotation(StorageHints.ContainsSearch) is not null && p.GetMaxLength() is not null).Select(p => p.Name)];
            if (searched.Length > 0 && !entity.IsOwned()
                && entity.GetIndexes().FirstOrDefault(i => i.Properties.Select(p => p.Name).SequenceEqual(["CreatedAt", "Id"])) is { } byCreation)
            {
                byCreation.SetIncludeProperties(searched);
            }
        }
    }
}

/// <summary>
/// Provider-neutral notes a feature puts on a column; each provider's context turns them into its own schema
/// (PostgreSQL: jsonb and GIN indexes).
/// </summary>
public static class StorageHints
{
    public const string JsonDocument = "CommerceManager:JsonDocument";
    public const string ContainsSearch = "CommerceManager:ContainsSearch";

    /// <summary>The column holds a JSON object (custom-field values) that queries look inside.</summary>
    public static Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<T> IsJsonDocument<T>(this Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<T> property) =>
        property.HasAnnotation(JsonDocument, true);

    /// <summary>The column is searched with contains and ends-with, which a plain index can't serve.</summary>
    public static Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<T> IsContainsSearched<T>(this Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<T> property) =>
        property.HasAnnotation(ContainsSearch, true);
}

/// <summary>
/// Hands out the provider's context from EF's context pool: a request borrows an already built context (its internal
/// services, its connection object) and gives it back reset when disposed, instead of building one per request.
/// </summary>
internal sealed class PooledContexts<TContext>(DbContextOptions<TContext> options) : IDbContextFactory<AppDbContext>
    where TContext : AppDbContext
{
    private readonly Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<TContext> pool = new(options);

    private static readonly bool MarksFlows = typeof(TContext) == typeof(SqliteDbContext);

    public AppDbContext CreateDbContext()
    {
        MarkFlow();
        return pool.CreateDbContext();
    }

    // Not an async method: the flow's mark is set in the caller's frame, so it lasts as long as the caller's operation.
    public Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
    {
        MarkFlow();
        return Handed(pool.CreateDbContextAsync(cancellationToken));

        static async Task<AppDbContext> Handed(Task<TContext> context) => await context;
    }

    private static void MarkFlow()
    {
        if (MarksFlows)
        {
            SqliteWriteQueue.ContextHandedOut();
        }
    }
}

/// <summary>For <c>dotnet ef migrations add … --context SqliteDbContext</c>: no database is opened.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDbContext>
{
    public SqliteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>For <c>dotnet ef migrations add … --context PostgresDbContext</c>: no database is opened.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDbContext>
{
    public PostgresDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
