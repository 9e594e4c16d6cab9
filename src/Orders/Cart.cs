using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Orders;

/// <summary>A storefront's cart, named by a reference the storefront chooses. It holds custom items only.</summary>
public sealed class Cart
{
    public string Reference { get; set; } = "";
    /// <summary>EP's cart name and description (<c>POST /v2/carts</c>); a cart made by adding items has neither.</summary>
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>The account the cart is associated with (EP's <c>relationships.accounts</c>, at most one).</summary>
    public Guid? AccountId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<CartItem> Items { get; set; } = [];
}

public sealed class CartItem
{
    public Guid Id { get; set; }
    public string CartReference { get; set; } = "";
    public string Name { get; set; } = "";
    public string Sku { get; set; } = "";
    public string? Description { get; set; }
    public int Quantity { get; set; }
    /// <summary>Unit price in minor units of the store currency.</summary>
    public long UnitPrice { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class CartItemConfiguration : IEntityTypeConfiguration<CartItem>
{
    public void Configure(EntityTypeBuilder<CartItem> b) => b.ToTable("CartItems");
}

internal sealed class CartConfiguration : IEntityTypeConfiguration<Cart>
{
    public void Configure(EntityTypeBuilder<Cart> b)
    {
        b.ToTable("Carts");
        b.HasKey(c => c.Reference);
        b.Property(c => c.Reference).HasMaxLength(CartLimits.Reference);
        b.HasMany(c => c.Items).WithOne().HasForeignKey(i => i.CartReference).OnDelete(DeleteBehavior.Cascade);
        b.Property(c => c.Name).HasMaxLength(CartLimits.Name);
        b.Property(c => c.Description).HasMaxLength(CartLimits.Description);
        b.HasIndex(c => new { c.AccountId, c.UpdatedAt }).HasFilter("\"AccountId\" IS NOT NULL");
    }
}

public static class CartLimits
{
    public const int Reference = 128;
    public const int Name = 255;
    public const int Description = 1000;
    public const int MaxQuantity = 10_000;
    /// <summary>$10,000,000.00 a unit is far beyond any real item and keeps totals well inside a long.</summary>
    public const long MaxUnitPrice = 1_000_000_000;
    /// <summary>Different items a cart holds (anyone with the public client id can fill carts: keep them bounded).</summary>
    public const int MaxItems = 100;
}

/// <summary>This feature's tables on the shared context (<c>db.Carts</c>).</summary>
public static class CartsTables
{
    extension(AppDbContext db)
    {
        public DbSet<Cart> Carts => db.Set<Cart>();
        public DbSet<CartItem> CartItems => db.Set<CartItem>();
    }
}
