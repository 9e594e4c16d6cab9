using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Orders;

public enum OrderStatus { Incomplete, Processing, Complete, Cancelled }

/// <summary>EP's payment states; the partial ones come from payments smaller than the order's balance.</summary>
public enum PaymentStatus { Unpaid, Authorized, Paid, Refunded, PartiallyAuthorized, PartiallyPaid }

public enum ShippingStatus { Unfulfilled, Fulfilled }

/// <summary>
/// An order made by checkout. It keeps its own copy of the customer's name and email and of both addresses, so
/// it reads the same after the customer changes or is deleted; <see cref="CustomerId"/> is set only when checkout
/// named a registered customer.
/// </summary>
public sealed class Order : IVersioned
{
    /// <summary>The table orders live in (its row count has the same name).</summary>
    public const string Table = "Orders";

    public Guid Id { get; set; }
    public Guid? CustomerId { get; set; }
    public Customer? Customer { get; set; }
    /// <summary>The account an account member checked out for (EP's <c>relationships.account</c>); not a foreign key: the order outlives it.</summary>
    public Guid? AccountId { get; set; }
    /// <summary>The member who checked out (EP's <c>relationships.account_member</c>).</summary>
    public Guid? AccountMemberId { get; set; }
    public string CustomerName { get; set; } = "";
    public string CustomerEmail { get; set; } = "";
    /// <summary>Folded like <see cref="Customer.NormalizedName"/>, for filters.</summary>
    public string NormalizedCustomerName { get; set; } = "";
    public string NormalizedCustomerEmail { get; set; } = "";
    public OrderStatus Status { get; set; }
    public PaymentStatus Payment { get; set; }
    public ShippingStatus Shipping { get; set; }
    public string Currency { get; set; } = "USD";
    /// <summary>Sum of line totals, in minor units (cents).</summary>
    public long Total { get; set; }
    public long Tax { get; set; }
    public int ItemCount { get; set; }
    public string? CartReference { get; set; }
    /// <summary>The store's own order number (EP's <c>order_number</c>), set at checkout or later; not unique.</summary>
    public string? OrderNumber { get; set; }
    /// <summary>A reference in another system (EP's <c>external_ref</c>).</summary>
    public string? ExternalRef { get; set; }
    /// <summary>Minor units paid (purchases and captures, less refunds): kept with every transaction.</summary>
    public long PaidAmount { get; set; }
    /// <summary>Minor units authorized and not yet captured.</summary>
    public long AuthorizedAmount { get; set; }
    /// <summary>Minor units given back (refunds): received money is <see cref="PaidAmount"/> plus this, and it is not owed again.</summary>
    public long RefundedAmount { get; set; }
    public PostalAddress BillingAddress { get; set; } = new();
    public PostalAddress ShippingAddress { get; set; } = new();
    public List<OrderItem> Items { get; set; } = [];
    public List<OrderEvent> Events { get; set; } = [];
    public List<OrderTransaction> Transactions { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid Version { get; set; }
}

public sealed class OrderItem
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public string Name { get; set; } = "";
    public string Sku { get; set; } = "";
    public int Quantity { get; set; }
    public long UnitPrice { get; set; }
    public long LineTotal { get; set; }
}

/// <summary>One change of status, payment or shipping, with who made it: the order's history.</summary>
public sealed class OrderEvent
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public DateTime At { get; set; }
    /// <summary>"status", "payment" or "shipping"; "created" for checkout.</summary>
    public string Field { get; set; } = "";
    public string? From { get; set; }
    public string To { get; set; } = "";
    public string By { get; set; } = "";
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.ToTable(Order.Table);
        // Orders outlive customers: deleting one only clears the link.
        b.HasOne(o => o.Customer).WithMany().HasForeignKey(o => o.CustomerId).OnDelete(DeleteBehavior.SetNull);
        b.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        // Stored names fit the column: the two partial states have short codes.
        b.Property(o => o.Payment).HasConversion(p => PaymentCodes.ToStored(p), s => PaymentCodes.FromStored(s)).HasMaxLength(16);
        b.Property(o => o.OrderNumber).HasMaxLength(OrderLimits.Reference);
        b.Property(o => o.ExternalRef).HasMaxLength(OrderLimits.Reference);
        // Partial: a lookup by number or reference never wants the orders without one, and most have none, which made
        // SQLite's statistics call every lookup a full match and scan 3M orders instead of seeking.
        b.HasIndex(o => o.OrderNumber).HasFilter("\"OrderNumber\" IS NOT NULL");
        b.HasIndex(o => o.ExternalRef).HasFilter("\"ExternalRef\" IS NOT NULL");
        b.Property(o => o.Shipping).HasConversion<string>().HasMaxLength(16);
        b.Property(o => o.Currency).HasMaxLength(3);
        b.Property(o => o.Version).IsConcurrencyToken();
        b.OwnsOne(o => o.BillingAddress, a => Snapshot(a, nameof(Order.BillingAddress)));
        b.OwnsOne(o => o.ShippingAddress, a => Snapshot(a, nameof(Order.ShippingAddress)));
        b.Navigation(o => o.BillingAddress).IsRequired();
        b.Navigation(o => o.ShippingAddress).IsRequired();
        b.HasMany(o => o.Items).WithOne().HasForeignKey(i => i.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(o => o.Events).WithOne().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(o => o.Transactions).WithOne().HasForeignKey(t => t.OrderId).OnDelete(DeleteBehavior.Cascade);

        // The Orders page sorts by date within any one filter; a customer's tab reads one customer, newest first.
        b.HasIndex(o => new { o.CreatedAt, o.Id });
        b.HasIndex(o => new { o.CustomerId, o.CreatedAt, o.Id });
        // An account's purchase history and a member's, newest first.
        b.HasIndex(o => new { o.AccountId, o.CreatedAt, o.Id }).HasFilter("\"AccountId\" IS NOT NULL");
        b.HasIndex(o => new { o.AccountMemberId, o.CreatedAt, o.Id }).HasFilter("\"AccountMemberId\" IS NOT NULL");
        b.HasIndex(o => new { o.NormalizedCustomerEmail, o.CreatedAt, o.Id });
        b.HasIndex(o => new { o.NormalizedCustomerName, o.CreatedAt, o.Id });
        b.HasIndex(o => new { o.Status, o.CreatedAt, o.Id });
        b.HasIndex(o => new { o.Payment, o.CreatedAt, o.Id });
        b.HasIndex(o => new { o.Shipping, o.CreatedAt, o.Id });
        // Small covering indexes so a count over any mix of status, payment and shipping is an index seek.
        b.HasIndex(o => new { o.Status, o.Payment, o.Shipping });
        b.HasIndex(o => new { o.Payment, o.Shipping, o.Status });
        b.HasIndex(o => new { o.Shipping, o.Status, o.Payment });
    }

    /// <summary>An address as it was at checkout, in the order's own columns: a region is required, a county is not.</summary>
    private static void Snapshot(OwnedNavigationBuilder<Order, PostalAddress> a, string navigation)
    {
        PostalAddress.Map(a, prefix: navigation + "_");
        a.Property(x => x.Region).IsRequired();
    }
}

internal sealed class OrderEventConfiguration : IEntityTypeConfiguration<OrderEvent>
{
    public void Configure(EntityTypeBuilder<OrderEvent> b)
    {
        b.ToTable("OrderEvents");
        b.HasIndex(e => new { e.OrderId, e.At });
    }
}

internal sealed class OrderItemConfiguration : IEntityTypeConfiguration<OrderItem>
{
    public void Configure(EntityTypeBuilder<OrderItem> b) => b.ToTable("OrderItems");
}

public static class OrderLimits
{
    /// <summary>EP's limit for order_number and external_ref.</summary>
    public const int Reference = 64;
}

/// <summary>How payment states are stored (the enum's name, but short codes where the name would not fit).</summary>
public static class PaymentCodes
{
    public static string ToStored(PaymentStatus p) => p switch
    {
        PaymentStatus.PartiallyAuthorized => "PartAuthorized",
        PaymentStatus.PartiallyPaid => "PartPaid",
        _ => p.ToString(),
    };

    public static PaymentStatus FromStored(string s) => s switch
    {
        "PartAuthorized" => PaymentStatus.PartiallyAuthorized,
        "PartPaid" => PaymentStatus.PartiallyPaid,
        _ => Enum.Parse<PaymentStatus>(s),
    };
}

/// <summary>This feature's tables on the shared context (<c>db.Orders</c>).</summary>
public static class OrdersTables
{
    extension(AppDbContext db)
    {
        public DbSet<Order> Orders => db.Set<Order>();
        public DbSet<OrderItem> OrderItems => db.Set<OrderItem>();
        public DbSet<OrderTransaction> OrderTransactions => db.Set<OrderTransaction>();
    }
}
