using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CommerceManager.CustomerSignIn;

/// <summary>
/// A sign-in under way through the store's login proxy (EP's <c>authorization-endpoint</c>): the storefront's redirect
/// URI, state and PKCE challenge, and the store's own PKCE verifier and nonce towards the provider. Kept until the
/// provider calls back, ten minutes at most.
/// </summary>
public sealed class OidcLoginRequest
{
    /// <summary>Also the <c>state</c> the store sends the provider.</summary>
    public Guid Id { get; set; }
    public Guid ProfileId { get; set; }
    /// <summary>Whose sign-in this is: a customer's, or an account member's.</summary>
    public RealmKind Realm { get; set; } = RealmKind.Customers;
    public string RedirectUri { get; set; } = "";
    public string? StorefrontState { get; set; }
    /// <summary>The browser's address (bucketed), to cap the sign-ins under way per address.</summary>
    public string ClientKey { get; set; } = "";
    public string CodeChallenge { get; set; } = "";
    public string ProviderCodeVerifier { get; set; } = "";
    public string Nonce { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>
/// A one-time code the proxy gave a storefront after the provider signed the person in; the storefront redeems it at
/// <c>POST /v2/customers/tokens</c> with its PKCE verifier. Only a hash of the code is kept.
/// </summary>
public sealed class OidcIssuedCode
{
    public string CodeHash { get; set; } = "";
    /// <summary>The customer, or (account realm) the account member, the code signs in.</summary>
    public Guid CustomerId { get; set; }
    public RealmKind Realm { get; set; } = RealmKind.Customers;
    public Guid ProfileId { get; set; }
    public string RedirectUri { get; set; } = "";
    public string CodeChallenge { get; set; } = "";
    public DateTime ExpiresAt { get; set; }
    /// <summary>Redeemed already: kept until it expires, so a second use is told so.</summary>
    public bool Used { get; set; }
}

internal sealed class OidcLoginRequestConfiguration : IEntityTypeConfiguration<OidcLoginRequest>
{
    public void Configure(EntityTypeBuilder<OidcLoginRequest> b)
    {
        b.ToTable("OidcLoginRequests");
        b.Property(r => r.RedirectUri).HasMaxLength(2048);
        b.Property(r => r.StorefrontState).HasMaxLength(2048);
        b.Property(r => r.ClientKey).HasMaxLength(16).HasDefaultValue("");
        b.HasIndex(r => r.ClientKey);
        b.Property(r => r.CodeChallenge).HasMaxLength(128);
        b.Property(r => r.ProviderCodeVerifier).HasMaxLength(128);
        b.Property(r => r.Nonce).HasMaxLength(128);
        b.Property(r => r.Realm).HasConversion<string>().HasMaxLength(16).HasDefaultValue(RealmKind.Customers).HasSentinel(RealmKind.Customers);
        b.HasIndex(r => r.ExpiresAt);
    }
}

internal sealed class OidcIssuedCodeConfiguration : IEntityTypeConfiguration<OidcIssuedCode>
{
    public void Configure(EntityTypeBuilder<OidcIssuedCode> b)
    {
        b.ToTable("OidcIssuedCodes");
        b.HasKey(c => c.CodeHash);
        b.Property(c => c.CodeHash).HasMaxLength(64);
        b.Property(c => c.RedirectUri).HasMaxLength(2048);
        b.Property(c => c.CodeChallenge).HasMaxLength(128);
        b.Property(c => c.Realm).HasConversion<string>().HasMaxLength(16).HasDefaultValue(RealmKind.Customers).HasSentinel(RealmKind.Customers);
        b.HasIndex(c => c.ExpiresAt);
    }
}

/// <summary>This feature's proxy tables on the shared context.</summary>
public static class OidcLoginTables
{
    extension(AppDbContext db)
    {
        public DbSet<OidcLoginRequest> OidcLoginRequests => db.Set<OidcLoginRequest>();
        public DbSet<OidcIssuedCode> OidcIssuedCodes => db.Set<OidcIssuedCode>();
    }
}
