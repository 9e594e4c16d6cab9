using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Data;

public sealed class MigrationTests
{
    [Fact]
    public async Task Every_model_change_is_captured_by_a_migration()
    {
        await using var services = await TestServices.CreateAsync();
        await using var db = await services.DbAsync();

        Assert.False(db.Database.GetMigrations().Count() == 0, "There should be migrations under src/Data/Migrations.");
        Assert.False(db.Database.HasPendingModelChanges(),
            "The EF model has changes no migration captures: run `dotnet ef migrations add <Name> -o src/Data/Migrations`.");
    }

    [Fact]
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
