using CommerceManager.Customers;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Addresses;

/// <summary>One of a customer's addresses; a customer may have any number.</summary>
public sealed class Address : IVersioned
{
    /// <summary>The table addresses live in (its row count has the same name).</summary>
    public const string Table = "Addresses";

    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public Customer? Customer { get; set; }
    /// <summary>A label such as "Home", "Neighbour" or "Office".</summary>
    public string? Name { get; set; }
    public PostalAddress Postal { get; set; } = new();
    /// <summary>Custom field values as JSON, keyed by field id.</summary>
    public string? CustomData { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid Version { get; set; }
}

internal sealed class AddressConfiguration : IEntityTypeConfiguration<Address>
{
    public void Configure(EntityTypeBuilder<Address> b)
    {
        b.ToTable(Address.Table);
        b.HasOne(a => a.Customer).WithMany().HasForeignKey(a => a.CustomerId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.CustomerId, a.CreatedAt });
        b.Property(a => a.Version).IsConcurrencyToken();
        b.Property(a => a.CustomData).IsJsonDocument();
        b.Property(a => a.Name).HasMaxLength(AddressLimits.Text);
        b.OwnsOne(a => a.Postal, p =>
        {
            PostalAddress.Map(p, prefix: "");
            // A saved address needs a county (EP's rule); an order's snapshot needs a region instead.
            p.Property(x => x.County).IsRequired();
            AddressLimits.Apply(p);
        });
        b.Navigation(a => a.Postal).IsRequired();
    }
}

public static class AddressLimits
{
    public const int Text = 255;
    public const int Postcode = 32;
    public const int Phone = 32;
    public const int Instructions = 1000;
    /// <summary>Addresses a customer may keep (a customer token can add them: keep growth bounded).</summary>
    public const int PerCustomer = 100;

    internal static void Apply<TOwner>(OwnedNavigationBuilder<TOwner, PostalAddress> p) where TOwner : class
    {
        foreach (var name in new[] { nameof(PostalAddress.FirstName), nameof(PostalAddress.LastName), nameof(PostalAddress.CompanyName),
                     nameof(PostalAddress.Line1), nameof(PostalAddress.Line2), nameof(PostalAddress.City), nameof(PostalAddress.Region), nameof(PostalAddress.County) })
        {
            p.Property(name).HasMaxLength(Text);
        }
        p.Property(x => x.Country).HasMaxLength(2);
        p.Property(x => x.Postcode).HasMaxLength(Postcode);
        p.Property(x => x.PhoneNumber).HasMaxLength(Phone);
        p.Property(x => x.Instructions).HasMaxLength(Instructions);
    }
}

/// <summary>This feature's table on the shared context (<c>db.Addresses</c>).</summary>
public static class AddressesTables
{
    extension(AppDbContext db)
    {
        public DbSet<Address> Addresses => db.Set<Address>();
    }
}
