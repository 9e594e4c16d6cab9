using CommerceManager.Customers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Addresses;

/// <summary>One of a customer's addresses; a customer may have any number.</summary>
public sealed class Address
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public Customer? Customer { get; set; }
    /// <summary>A label such as "Home", "Neighbour" or "Office".</summary>
    public string? Name { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? CompanyName { get; set; }
    public string Line1 { get; set; } = "";
    public string? Line2 { get; set; }
    public string? City { get; set; }
    public string? Region { get; set; }
    public string Postcode { get; set; } = "";
    public string County { get; set; } = "";
    /// <summary>ISO 3166-1 alpha-2, upper case.</summary>
    public string Country { get; set; } = "";
    public string? PhoneNumber { get; set; }
    public string? Instructions { get; set; }
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
        b.HasOne(a => a.Customer).WithMany().HasForeignKey(a => a.CustomerId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.CustomerId, a.CreatedAt });
        b.Property(a => a.Country).HasMaxLength(2);
        b.Property(a => a.Version).IsConcurrencyToken();
        foreach (var p in new[] { nameof(Address.Name), nameof(Address.FirstName), nameof(Address.LastName), nameof(Address.CompanyName),
                     nameof(Address.Line1), nameof(Address.Line2), nameof(Address.City), nameof(Address.Region), nameof(Address.County) })
        {
            b.Property(p).HasMaxLength(AddressLimits.Text);
        }
        b.Property(a => a.Postcode).HasMaxLength(AddressLimits.Postcode);
        b.Property(a => a.PhoneNumber).HasMaxLength(AddressLimits.Phone);
        b.Property(a => a.Instructions).HasMaxLength(AddressLimits.Instructions);
    }
}

public static class AddressLimits
{
    public const int Text = 255;
    public const int Postcode = 32;
    public const int Phone = 32;
    public const int Instructions = 1000;
}
