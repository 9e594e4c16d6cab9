using CommerceManager.Data;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Data;

public sealed class MigrationTests
{
    [Fact]
    public void Every_model_change_is_captured_by_a_SQLite_migration()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            "The EF model has changes no SQLite migration captures: run `dotnet ef migrations add <Name> --context SqliteDbContext -o src/Data/Migrations/Sqlite`.");
    }

    [Fact]
    public void Every_model_change_is_captured_by_a_PostgreSQL_migration()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            "The EF model has changes no PostgreSQL migration captures: run `dotnet ef migrations add <Name> --context PostgresDbContext -o src/Data/Migrations/Postgres`.");
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task The_customers_table_has_an_index_for_every_sort_and_filter()
    {
        await using var services = await TestServices.CreateAsync();
        await using var db = await services.DbAsync();

        var indexes = await db.Database.SqlQueryRaw<string>(
            "SELECT sql AS Value FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Customers' AND sql IS NOT NULL").ToListAsync();

        Assert.Contains(indexes, i => i.Contains("UNIQUE", StringComparison.Ordinal) && i.Contains("\"NormalizedEmail\"", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("\"NormalizedName\", \"Id\"", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("\"CreatedAt\", \"Id\"", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("\"UpdatedAt\", \"Id\"", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("\"ExternalRef\"", StringComparison.Ordinal));
    }
}
