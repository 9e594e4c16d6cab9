using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Privacy;

/// <summary>EP's erasure request statuses.</summary>
public static class ErasureStatus
{
    public const string Created = "CREATED";
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
}

/// <summary>
/// That a customer's personal data was erased: when, by whom, and what was done (counts), never what the data was.
/// EP's <c>erasure_request</c>; the console's erasures are requests too.
/// </summary>
public sealed class ErasureRequest
{
    public Guid Id { get; set; }
    public string ResourceType { get; set; } = "customer";
    public Guid ResourceId { get; set; }
    public string Status { get; set; } = ErasureStatus.Created;
    public string StatusDescription { get; set; } = "";
    public string InitiatorKind { get; set; } = "";
    public string? InitiatorId { get; set; }
    public string? InitiatorName { get; set; }
    /// <summary>The store's own reference for the request (a ticket number), if it gave one.</summary>
    public string? Reference { get; set; }
    public int OrdersAnonymized { get; set; }
    public int AddressesDeleted { get; set; }
    public int HistoryEntriesCleared { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class ErasureRequestConfiguration : IEntityTypeConfiguration<ErasureRequest>
{
    public void Configure(EntityTypeBuilder<ErasureRequest> b)
    {
        b.ToTable("ErasureRequests");
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.ResourceType).HasMaxLength(64);
        b.Property(r => r.Status).HasMaxLength(16);
        b.Property(r => r.StatusDescription).HasMaxLength(300);
        b.Property(r => r.InitiatorKind).HasMaxLength(16);
        b.Property(r => r.InitiatorId).HasMaxLength(256);
        b.Property(r => r.InitiatorName).HasMaxLength(256);
        b.Property(r => r.Reference).HasMaxLength(255);
        b.HasIndex(r => new { r.ResourceType, r.ResourceId, r.CreatedAt });
    }
}

public static class PrivacyTables
{
    extension(AppDbContext db)
    {
        public DbSet<ErasureRequest> ErasureRequests => db.Set<ErasureRequest>();
    }
}
