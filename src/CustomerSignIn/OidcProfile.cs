using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.CustomerSignIn;

/// <summary>An OpenID Connect provider customers can sign in with (EP calls it an OIDC profile).</summary>
public sealed class OidcProfile
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The issuer URL or its <c>/.well-known/openid-configuration</c> document.</summary>
    public string DiscoveryUrl { get; set; } = "";
    public string ClientId { get; set; } = "";
    /// <summary>Encrypted with ASP.NET Core Data Protection; never shown again.</summary>
    public string ProtectedClientSecret { get; set; } = "";
    public string Scopes { get; set; } = "openid email profile";
    /// <summary>Storefront redirect URIs this profile accepts, one per line; none means the provider decides.</summary>
    public string RedirectUris { get; set; } = "";
    public bool Enabled { get; set; } = true;
    /// <summary>Accept a provider whose discovery document does not list PKCE S256 (off: such a provider is refused).</summary>
    public bool AllowUnlistedPkce { get; set; }
    /// <summary>From the last discovery: where storefronts send customers to sign in.</summary>
    public string? AuthorizationEndpoint { get; set; }
    public string? Issuer { get; set; }
    public DateTime? DiscoveredAt { get; set; }
    public string? DiscoveryError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Whose sign-in it offers: customers', or account members' (EP keeps profiles per realm).</summary>
    public RealmKind Realm { get; set; } = RealmKind.Customers;

    public IReadOnlyList<string> RedirectUriList => RedirectUris.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A customer's identity at a provider: the provider's subject, linked to one customer.</summary>
public sealed class CustomerLogin
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    public Guid ProfileId { get; set; }
    public string Subject { get; set; } = "";
    public string? Email { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastSignInAt { get; set; }
    /// <summary>The identity was linked to a customer who already had its email (policy api_only): that customer's password was removed then.</summary>
    public bool LinkedExisting { get; set; }
}

internal sealed class OidcProfileConfiguration : IEntityTypeConfiguration<OidcProfile>
{
    public void Configure(EntityTypeBuilder<OidcProfile> b)
    {
        b.ToTable("OidcProfiles");
        b.Property(p => p.Name).HasMaxLength(255);
        b.Property(p => p.DiscoveryUrl).HasMaxLength(2048);
        b.Property(p => p.ClientId).HasMaxLength(512);
        b.Property(p => p.Realm).HasConversion<string>().HasMaxLength(16).HasDefaultValue(RealmKind.Customers).HasSentinel(RealmKind.Customers);
    }
}

internal sealed class CustomerLoginConfiguration : IEntityTypeConfiguration<CustomerLogin>
{
    public void Configure(EntityTypeBuilder<CustomerLogin> b)
    {
        b.ToTable("CustomerLogins");
        b.HasIndex(l => new { l.ProfileId, l.Subject }).IsUnique();
        b.HasIndex(l => l.CustomerId);
        b.Property(l => l.Subject).HasMaxLength(255);
        b.HasOne<Customers.Customer>().WithMany().HasForeignKey(l => l.CustomerId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<OidcProfile>().WithMany().HasForeignKey(l => l.ProfileId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>This feature's tables on the shared context (<c>db.OidcProfiles</c>).</summary>
public static class OidcProfilesTables
{
    extension(AppDbContext db)
    {
        public DbSet<OidcProfile> OidcProfiles => db.Set<OidcProfile>();
        public DbSet<CustomerLogin> CustomerLogins => db.Set<CustomerLogin>();
    }
}
