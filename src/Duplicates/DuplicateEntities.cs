using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Duplicates;

/// <summary>
/// Two customers who are likely the same person, as the last scan found them (<see cref="DuplicateFinder"/>): a score
/// out of 100 and the reasons, in words. <see cref="FirstId"/> is the smaller id. A pair staff marked "not duplicates"
/// keeps its <see cref="DismissedAt"/> and is not offered again.
/// </summary>
public sealed class DuplicatePair
{
    public long Id { get; set; }
    public Guid FirstId { get; set; }
    public Guid SecondId { get; set; }
    public int Score { get; set; }
    /// <summary>The reasons, as a JSON array of sentences.</summary>
    public string Reasons { get; set; } = "[]";
    public DateTime FoundAt { get; set; }
    public DateTime? DismissedAt { get; set; }
    public string? DismissedBy { get; set; }
}

/// <summary>
/// A merge of one customer into another, with what undoing it needs for 30 days: the removed customer as it was, the
/// survivor's values before, and the ids of the addresses, orders and sign-in links that moved. After the undo period
/// the snapshot is cleared and only the record that a merge happened stays.
/// </summary>
public sealed class CustomerMerge
{
    public Guid Id { get; set; }
    public Guid SurvivorId { get; set; }
    public Guid RemovedId { get; set; }
    public string RemovedName { get; set; } = "";
    public string RemovedEmail { get; set; } = "";
    public string SurvivorName { get; set; } = "";
    /// <summary>JSON: see <see cref="MergeSnapshot"/>.</summary>
    public string Snapshot { get; set; } = "{}";
    public DateTime MergedAt { get; set; }
    public string MergedBy { get; set; } = "";
    public DateTime UndoUntil { get; set; }
    public DateTime? UndoneAt { get; set; }
    public string? UndoneBy { get; set; }
}

internal sealed class DuplicateConfiguration : IEntityTypeConfiguration<DuplicatePair>, IEntityTypeConfiguration<CustomerMerge>
{
    public void Configure(EntityTypeBuilder<DuplicatePair> b)
    {
        b.ToTable("DuplicatePairs");
        b.HasIndex(p => new { p.FirstId, p.SecondId }).IsUnique();
        b.HasIndex(p => p.SecondId);
        b.HasIndex(p => new { p.DismissedAt, p.Score });
        b.Property(p => p.Reasons).HasMaxLength(4000);
        b.Property(p => p.DismissedBy).HasMaxLength(256);
    }

    public void Configure(EntityTypeBuilder<CustomerMerge> b)
    {
        b.ToTable("CustomerMerges");
        b.HasIndex(m => m.MergedAt);
        b.HasIndex(m => m.SurvivorId);
        b.Property(m => m.RemovedName).HasMaxLength(255);
        b.Property(m => m.RemovedEmail).HasMaxLength(254);
        b.Property(m => m.SurvivorName).HasMaxLength(255);
        b.Property(m => m.MergedBy).HasMaxLength(256);
        b.Property(m => m.UndoneBy).HasMaxLength(256);
    }
}

public static class DuplicatesTables
{
    extension(AppDbContext db)
    {
        public DbSet<DuplicatePair> DuplicatePairs => db.Set<DuplicatePair>();
        public DbSet<CustomerMerge> CustomerMerges => db.Set<CustomerMerge>();
    }
}
