using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Orders;

public enum TransactionType { Purchase, Authorize, Capture, Refund }

public enum TransactionStatus { Complete, Failed, Pending, Cancelled }

/// <summary>
/// A payment on an order (EP's transaction): a purchase, or an authorization later captured; a refund marks it. Only
/// EP's manual gateway exists here: the money moves outside the store, staff or a server record that it did.
/// </summary>
public sealed class OrderTransaction
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public TransactionType Type { get; set; }
    public TransactionStatus Status { get; set; }
    public string Gateway { get; set; } = "manual";
    /// <summary>Minor units.</summary>
    public long Amount { get; set; }
    public long RefundedAmount { get; set; }
    public string Currency { get; set; } = "USD";
    /// <summary>EP's <c>custom_reference</c> (from <c>paymentmethod_meta</c>): a receipt or bank reference.</summary>
    public string? CustomReference { get; set; }
    /// <summary>EP's payment method <c>name</c> (from <c>paymentmethod_meta</c>).</summary>
    public string? Name { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>
    /// Set on a refund: the payment (purchase or capture) it gives money back from. A refund is a movement of its own,
    /// with its own time and author; the payment keeps its line, its <see cref="RefundedAmount"/> adding up its refunds
    /// (what EP's API shows: the payment, updated).
    /// </summary>
    public Guid? ParentId { get; set; }
    /// <summary>When an authorization was captured (the row becomes a capture, as in EP; it keeps its own time).</summary>
    public DateTime? CapturedAt { get; set; }
}

internal sealed class OrderTransactionConfiguration : IEntityTypeConfiguration<OrderTransaction>
{
    public void Configure(EntityTypeBuilder<OrderTransaction> b)
    {
        b.ToTable("OrderTransactions");
        b.Property(t => t.Type).HasConversion<string>().HasMaxLength(16);
        b.Property(t => t.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(t => t.Gateway).HasMaxLength(32);
        b.Property(t => t.Currency).HasMaxLength(3);
        b.Property(t => t.CustomReference).HasMaxLength(255);
        b.Property(t => t.Name).HasMaxLength(255);
        b.Property(t => t.CreatedBy).HasMaxLength(255);
        b.HasIndex(t => new { t.OrderId, t.CreatedAt });
        b.HasIndex(t => t.ParentId);
    }
}
