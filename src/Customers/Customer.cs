using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.Customers;

public sealed class Customer : IVersioned
{
    /// <summary>The table customers live in (its row count has the same name).</summary>
    public const string Table = "Customers";

    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>
    /// <see cref="Name"/> folded for search and sort (<see cref="FoldName"/>): "Émile" sorts with "E" and is
    /// found by "emile", and an index serves both.
    /// </summary>
    public string NormalizedName { get; set; } = "";
    public string Email { get; set; } = "";
    /// <summary>Upper-invariant copy of <see cref="Email"/>, unique: SQLite's NOCASE folds ASCII only.</summary>
    public string NormalizedEmail { get; set; } = "";
    /// <summary>
    /// Created by a first sign-in through a provider while another customer had the email (EP's duplicate_email_policy
    /// allowed): exempt from the email's uniqueness, and never signed in to by password.
    /// </summary>
    public bool EmailShared { get; set; }
    public string? PasswordHash { get; set; }
    public string? ExternalRef { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    // What the customer is worth, kept by database triggers on Orders (every write path, bulk loads included), so the
    // customer page and the list's Orders / Spent / Last order columns read them without counting orders.
    /// <summary>Orders linked to the customer, cancelled ones included.</summary>
    public int OrderCount { get; set; }
    /// <summary>Sum of the totals (minor units) of the customer's orders that are not cancelled.</summary>
    public long OrdersTotal { get; set; }
    public DateTime? LastOrderAt { get; set; }
    /// <summary>
    /// The customer's addresses as the console's one box reads them (<see cref="OneBox"/>): each address's street, its
    /// postcode without spaces and its phone number's digits, upper-cased (ASCII letters only, as SQL's <c>upper</c>),
    /// joined by " | ". Kept by database triggers on Addresses (every write path, bulk loads included).
    /// </summary>
    public string AddressSearch { get; private set; } = "";
    /// <summary>Custom field values as JSON, keyed by field id (so renames and disabling keep them).</summary>
    public string? CustomData { get; set; }
    /// <summary>Optimistic concurrency token, replaced on every save.</summary>
    public Guid Version { get; set; }

    public static string Normalize(string value) => Common.EmailRules.Fold(value);

    /// <summary>Upper case without accents: the search and sort key of names.</summary>
    public static string FoldName(string value)
    {
        var decomposed = value.Trim().Normalize(System.Text.NormalizationForm.FormD);
        var sb = new System.Text.StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                sb.Append(c);
            }
        }
        return sb.ToString().Normalize(System.Text.NormalizationForm.FormC).ToUpperInvariant();
    }

    public void SetName(string name)
    {
        Name = name.Trim();
        NormalizedName = FoldName(Name);
    }

    public void SetEmail(string email)
    {
        Email = email.Trim();
        NormalizedEmail = Normalize(Email);
    }
}

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> b)
    {
        b.ToTable(Customer.Table);
        b.Property(c => c.Name).HasMaxLength(CustomerLimits.NameMax);
        b.Property(c => c.NormalizedName).HasMaxLength(CustomerLimits.NameMax).IsContainsSearched();
        b.Property(c => c.Email).HasMaxLength(CustomerLimits.EmailMax);
        b.Property(c => c.NormalizedEmail).HasMaxLength(CustomerLimits.EmailMax).IsContainsSearched();
        b.Property(c => c.AddressSearch).HasDefaultValue("").IsContainsSearched();
        b.Property(c => c.CustomData).IsJsonDocument();
        b.Property(c => c.ExternalRef).HasMaxLength(CustomerLimits.ExternalRefMax);
        b.Property(c => c.Version).IsConcurrencyToken();

        // One index per sort and filter the list offers; the trailing Id makes every order total,
        // so paging is stable when names or timestamps tie.
        // Unique among the customers who own their email; a customer created by a provider sign-in may share one (EP's
        // duplicate_email_policy allowed). The plain index serves eq(email) for both.
        b.HasIndex(c => c.NormalizedEmail);
        b.HasIndex(c => c.NormalizedEmail, "IX_Customers_NormalizedEmail_Unique").IsUnique().HasFilter("NOT \"EmailShared\"");
        b.HasIndex(c => new { c.NormalizedName, c.Id });
        b.HasIndex(c => new { c.CreatedAt, c.Id });
        b.HasIndex(c => new { c.UpdatedAt, c.Id });
        b.HasIndex(c => c.ExternalRef);
        b.HasIndex(c => new { c.OrderCount, c.Id });
        b.HasIndex(c => new { c.OrdersTotal, c.Id });
        b.HasIndex(c => new { c.LastOrderAt, c.Id });
        // Deleting a customer ends its tokens.
        b.HasMany<Tokens.CustomerToken>().WithOne().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class CustomerLimits
{
    public const int NameMax = 255;
    public const int EmailMax = 254;
    public const int ExternalRefMax = 2048;
}

/// <summary>This feature's tables on the shared context (<c>db.Customers</c>).</summary>
public static class CustomersTables
{
    extension(AppDbContext db)
    {
        public DbSet<Customer> Customers => db.Set<Customer>();
    }
}
