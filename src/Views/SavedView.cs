using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Views;

/// <summary>The lists a view can be saved for: the name is also the console page's address.</summary>
public static class ViewLists
{
    public const string Customers = "customers";
    public const string Orders = "orders";
    public const string Accounts = "accounts";

    public static bool IsKnown(string list) => list is Customers or Orders or Accounts;
}

/// <summary>
/// A named list view (filter, sort, columns, page size) a staff member saved: the list page's query string, so opening
/// the view is opening that address. Private to its owner unless an Admin shared it with all staff.
/// </summary>
public sealed class SavedView
{
    public Guid Id { get; set; }
    /// <summary><see cref="ViewLists.Customers"/> or <see cref="ViewLists.Orders"/>.</summary>
    public string List { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The list page's query string without the page number, e.g. <c>filter=eq(email,…)&amp;sort=name</c>.</summary>
    public string Query { get; set; } = "";
    public string OwnerId { get; set; } = "";
    public bool Shared { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> b)
    {
        b.ToTable("SavedViews");
        b.Property(v => v.List).HasMaxLength(16);
        b.Property(v => v.Name).HasMaxLength(SavedViewService.MaxNameLength);
        b.Property(v => v.Query).HasMaxLength(SavedViewService.MaxQueryLength);
        b.Property(v => v.OwnerId).HasMaxLength(450);
        // One name per owner and list: "Open orders" twice in one person's tabs would be a puzzle.
        b.HasIndex(v => new { v.OwnerId, v.List, v.Name }).IsUnique();
        b.HasIndex(v => new { v.List, v.Shared });
        b.HasOne<StaffUser>().WithMany().HasForeignKey(v => v.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>One remembered console setting of one staff member (a list's page size and columns, a page's last tab).</summary>
public sealed class StaffSetting
{
    public string UserId { get; set; } = "";
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

internal sealed class StaffSettingConfiguration : IEntityTypeConfiguration<StaffSetting>
{
    public void Configure(EntityTypeBuilder<StaffSetting> b)
    {
        b.ToTable("StaffSettings");
        b.HasKey(s => new { s.UserId, s.Key });
        b.Property(s => s.UserId).HasMaxLength(450);
        b.Property(s => s.Key).HasMaxLength(64);
        b.Property(s => s.Value).HasMaxLength(SavedViewService.MaxQueryLength);
        b.HasOne<StaffUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class ViewSets
{
    extension(AppDbContext db)
    {
        public DbSet<SavedView> SavedViews => db.Set<SavedView>();
        public DbSet<StaffSetting> StaffSettings => db.Set<StaffSetting>();
    }
}
