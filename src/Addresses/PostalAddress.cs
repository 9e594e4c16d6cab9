using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Addresses;

/// <summary>
/// The postal part of an address: a customer's saved address owns one, and an order keeps two (billing and shipping)
/// as they were at checkout. Which fields are required differs (see <see cref="AddressRules"/>); the shape does not.
/// </summary>
public sealed class PostalAddress
{
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? CompanyName { get; set; }
    public string Line1 { get; set; } = "";
    public string? Line2 { get; set; }
    public string? City { get; set; }
    public string? Region { get; set; }
    public string Postcode { get; set; } = "";
    public string? County { get; set; }
    /// <summary>ISO 3166-1 alpha-2, upper case.</summary>
    public string Country { get; set; } = "";
    public string? PhoneNumber { get; set; }
    public string? Instructions { get; set; }

    public string CountryName => Countries.NameOf(Country);

    /// <summary>The same fields in a new object (an owned part belongs to one owner).</summary>
    public PostalAddress Copy() => (PostalAddress)MemberwiseClone();

    /// <summary>The lines to print on an envelope, blank ones left out.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"{FirstName} {LastName}".Trim();
        foreach (var line in new[] { CompanyName, Line1, Line2 })
        {
            if (!string.IsNullOrEmpty(line))
            {
                yield return line;
            }
        }
        var town = string.Join(", ", new[] { City, Region }.Where(x => !string.IsNullOrEmpty(x)));
        yield return string.Join(' ', new[] { town, Postcode }.Where(x => x.Length > 0));
        if (!string.IsNullOrEmpty(County))
        {
            yield return County;
        }
        yield return CountryName;
    }

    /// <summary>Maps the owned columns: <paramref name="prefix"/> "" keeps the owner's own column names (a customer's address).</summary>
    internal static void Map<TOwner>(OwnedNavigationBuilder<TOwner, PostalAddress> b, string prefix) where TOwner : class
    {
        b.WithOwner();
        foreach (var p in new[] { nameof(FirstName), nameof(LastName), nameof(CompanyName), nameof(Line1), nameof(Line2), nameof(City), nameof(Region),
                     nameof(Postcode), nameof(County), nameof(Country), nameof(PhoneNumber), nameof(Instructions) })
        {
            b.Property(p).HasColumnName(prefix + p);
        }
    }
}
