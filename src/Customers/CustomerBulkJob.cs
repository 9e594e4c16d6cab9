using System.Text.Json.Nodes;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Customers;

/// <summary>What a bulk job did.</summary>
public static class BulkActions
{
    public const string Delete = "delete";
    public const string SetField = "set-field";
    /// <summary>The undo of another job (<see cref="CustomerBulkJob.UndoOf"/>).</summary>
    public const string Undo = "undo";
}

/// <summary>
/// One bulk job on customers (a delete, a field set on many, or the undo of one of those): who ran it, how far it got, and
/// for <see cref="CustomerBulk.UndoDays"/> days what undoing it needs, one <see cref="CustomerBulkJobItem"/> per customer
/// it touched. After that the items go and the record that it happened stays (with its line on the Activity page).
/// </summary>
public sealed class CustomerBulkJob
{
    /// <summary>Also the <c>BatchId</c> of every change the job recorded.</summary>
    public Guid Id { get; set; }
    /// <summary>One of <see cref="BulkActions"/>.</summary>
    public string Action { get; set; } = "";
    /// <summary>What it did, in words: "Bulk delete", "Bulk set “Loyalty tier” to “Gold”".</summary>
    public string Subject { get; set; } = "";
    /// <summary>The customer field a set-field job wrote (its id: the key of the stored values).</summary>
    public Guid? FieldId { get; set; }
    /// <summary>How many customers the selection held when it started.</summary>
    public int Selected { get; set; }
    /// <summary>How many it has done: less than <see cref="Selected"/> when stopped, or when some were gone or changed since.</summary>
    public int Done { get; set; }
    /// <summary>For an undo: how many it left alone, and why (in words).</summary>
    public int Skipped { get; set; }
    public string? SkippedWhy { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string ById { get; set; } = "";
    public string By { get; set; } = "";
    public DateTime UndoUntil { get; set; }
    public Guid? UndoOf { get; set; }
    public DateTime? UndoneAt { get; set; }
    public string? UndoneBy { get; set; }
}

/// <summary>
/// What undoing a job needs for one customer (JSON): for a delete, the customer as it was and what it owned
/// (<see cref="ICustomerBelongings"/>); for a set-field, the value before and the value set.
/// </summary>
public sealed class CustomerBulkJobItem
{
    public Guid JobId { get; set; }
    public Guid CustomerId { get; set; }
    public string Data { get; set; } = "{}";
}

/// <summary>
/// What a feature keeps of a deleted customer's belongings so a bulk delete can be undone: addresses, sign-in links,
/// the orders that became guest orders. Each feature that owns rows of a customer registers one
/// (<c>AddCustomerBelongings</c>); Customers knows none of them.
/// </summary>
public interface ICustomerBelongings
{
    /// <summary>The key of this part in an item's JSON ("addresses").</summary>
    string Part { get; }

    /// <summary>Reads what these customers own now (before they are deleted), per customer; customers that own none are left out.</summary>
    Task<IReadOnlyDictionary<Guid, JsonNode>> KeepAsync(AppDbContext db, IReadOnlyCollection<Guid> customerIds, CancellationToken ct);

    /// <summary>
    /// Gives restored customers back what <see cref="KeepAsync"/> kept, in the context's transaction (the customers are
    /// saved already); what is no longer possible (a sign-in identity linked to someone else since) is left out.
    /// </summary>
    Task RestoreAsync(AppDbContext db, IReadOnlyDictionary<Guid, JsonNode> kept, CancellationToken ct);
}

internal sealed class CustomerBulkJobConfiguration : IEntityTypeConfiguration<CustomerBulkJob>, IEntityTypeConfiguration<CustomerBulkJobItem>
{
    public void Configure(EntityTypeBuilder<CustomerBulkJob> b)
    {
        b.ToTable("CustomerBulkJobs");
        b.Property(j => j.Action).HasMaxLength(16);
        b.Property(j => j.Subject).HasMaxLength(300);
        b.Property(j => j.SkippedWhy).HasMaxLength(1000);
        b.Property(j => j.ById).HasMaxLength(256);
        b.Property(j => j.By).HasMaxLength(256);
        b.Property(j => j.UndoneBy).HasMaxLength(256);
        b.HasIndex(j => j.UndoUntil);
    }

    public void Configure(EntityTypeBuilder<CustomerBulkJobItem> b)
    {
        b.ToTable("CustomerBulkJobItems");
        b.HasKey(i => new { i.JobId, i.CustomerId });
        // Erasing a customer's personal data finds the items that hold it.
        b.HasIndex(i => i.CustomerId);
        b.HasOne<CustomerBulkJob>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>This feature's bulk-job tables on the shared context.</summary>
public static class CustomerBulkJobTables
{
    extension(AppDbContext db)
    {
        public DbSet<CustomerBulkJob> CustomerBulkJobs => db.Set<CustomerBulkJob>();
        public DbSet<CustomerBulkJobItem> CustomerBulkJobItems => db.Set<CustomerBulkJobItem>();
    }
}

public static class CustomerBelongingsSetup
{
    /// <summary>Registers what a feature keeps of a deleted customer for the undo of a bulk delete.</summary>
    public static IServiceCollection AddCustomerBelongings<T>(this IServiceCollection services) where T : class, ICustomerBelongings =>
        services.AddSingleton<ICustomerBelongings, T>();
}
